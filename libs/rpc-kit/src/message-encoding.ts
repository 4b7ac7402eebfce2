import { gunzipSync } from "node:zlib";
import { ErrorReason, ERROR_DOMAIN } from "@modelrouter/errors";
import { Code } from "./code.js";
import { RpcError } from "./rpc-error.js";

/**
 * Set by a server's header check on a call whose `grpc-encoding` it does not take (the header itself is
 * removed): the call is refused with INVALID_ARGUMENT naming the header. A client's own value is removed first.
 */
export const ENCODING_REJECTED_HEADER = "x-modelrouter-rejected-encoding";

type HeaderMap = Record<string, string | string[] | undefined>;

/**
 * Takes message decompression over from grpc-js, in place, before it reads the headers: grpc-js answers a
 * message flagged as gzip that is not valid gzip with INTERNAL ("Failed to decompress message") before any
 * handler sees it. Without the header grpc-js hands the bytes on as they came, and {@link gunzipIfCompressed}
 * inflates them. Encodings other than identity and gzip are recorded under {@link ENCODING_REJECTED_HEADER}.
 */
export function takeOverMessageEncoding(headers: HeaderMap): void {
  delete headers[ENCODING_REJECTED_HEADER];
  const raw = headers["grpc-encoding"];
  if (raw === undefined) return;
  delete headers["grpc-encoding"];
  const encoding = Array.isArray(raw) ? raw.join(",") : raw;
  if (encoding !== "identity" && encoding !== "gzip") headers[ENCODING_REJECTED_HEADER] = encoding.slice(0, 40);
}

/** The INVALID_ARGUMENT of a call compressed with an encoding the server does not take, or undefined. */
export function encodingRejection(marker: string | undefined): RpcError | undefined {
  if (marker === undefined) return undefined;
  const description = `${JSON.stringify(marker)} is not accepted: send messages uncompressed (identity) or gzip-compressed`;
  return new RpcError({
    code: Code.INVALID_ARGUMENT,
    message: `the call's message encoding is not accepted: grpc-encoding: ${description}`,
    reason: ErrorReason.INVALID_FIELD,
    domain: ERROR_DOMAIN,
    metadata: { fields: "grpc-encoding" },
    violations: [{ field: "grpc-encoding", description }],
  });
}

/**
 * The message of a gRPC frame, gunzipped when it is gzip (its first bytes, 1F 8B, can never start a protobuf
 * message: 1F is field 3 with wire type 7, which does not exist), up to `maxBytes` once inflated. Returns a
 * problem description for a body that starts like gzip but is not, or inflates past the limit.
 */
export function gunzipIfCompressed(bytes: Uint8Array, maxBytes: number): Uint8Array | { readonly problem: string } {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    const tooLarge = error instanceof RangeError || (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
    return {
      problem: tooLarge
        ? `inflates to more than ${maxBytes} bytes, the largest message this server takes`
        : "is flagged as gzip-compressed but is not valid gzip",
    };
  }
}
