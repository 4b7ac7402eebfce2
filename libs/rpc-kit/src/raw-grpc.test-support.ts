import { connect, constants, type ClientHttp2Session } from "node:http2";
import { fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { BadRequestSchema, StatusSchema } from "@modelrouter/contracts";

/** What a raw gRPC call observed: the status, its message, the BadRequest fields, the response messages, and a reset if the stream was reset. */
export interface RawOutcome {
  readonly status: number | undefined;
  readonly message: string;
  readonly fields: readonly string[];
  readonly responses: readonly Uint8Array[];
  readonly rstCode: number | undefined;
}

/** A gRPC frame: the compressed flag, a 4-byte big-endian length, then the message. */
export function frame(message: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.byteLength, 1);
  return Buffer.concat([header, message]);
}

function parseFrames(data: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at + 5 <= data.length; ) {
    const length = data.readUInt32BE(at + 1);
    out.push(data.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return out;
}

function violations(detailsBin: string | undefined): string[] {
  if (detailsBin === undefined) return [];
  const status = fromBinary(StatusSchema, Buffer.from(detailsBin, "base64"));
  for (const any of status.details) {
    const badRequest = anyUnpack(any, BadRequestSchema);
    if (badRequest !== undefined) return badRequest.fieldViolations.map((v) => v.field);
  }
  return [];
}

/**
 * A gRPC client that sends exactly the bytes and headers it is given over HTTP/2 (no grpc-js), as a hostile or
 * careless client would: a path, headers (grpc-timeout, …), raw body bytes (use {@link frame}), and optionally
 * an open request stream (`halfClose: false`).
 */
export class RawGrpcClient {
  #session: ClientHttp2Session;
  /** Connections opened so far (a new one when the server closed the last, as a gRPC client does). */
  connections = 1;
  /** The GOAWAY frames the server sent, in order. */
  readonly goaways: { readonly code: number; readonly lastStreamId: number }[] = [];

  constructor(private readonly address: string) {
    this.#session = this.#connect();
  }

  get session(): ClientHttp2Session {
    return this.#session;
  }

  #connect(): ClientHttp2Session {
    const session = connect(`http://${this.address}`);
    session.on("error", () => undefined);
    session.on("goaway", (code: number, lastStreamId: number) => this.goaways.push({ code, lastStreamId }));
    return session;
  }

  call(path: string, body: Uint8Array, headers: Readonly<Record<string, string>> = {}, timeoutMs = 10_000): Promise<RawOutcome> {
    if (this.#session.closed || this.#session.destroyed) {
      this.#session = this.#connect();
      this.connections++;
    }
    return new Promise((resolve) => {
      const stream = this.#session.request({
        [constants.HTTP2_HEADER_METHOD]: "POST",
        [constants.HTTP2_HEADER_PATH]: path,
        "content-type": "application/grpc",
        te: "trailers",
        ...headers,
      });
      const chunks: Buffer[] = [];
      let trailers: Record<string, string | string[] | undefined> = {};
      let responseHeaders: Record<string, string | string[] | undefined> = {};
      const timer = setTimeout(() => stream.close(constants.NGHTTP2_CANCEL), timeoutMs);
      stream.on("response", (h) => (responseHeaders = h));
      stream.on("trailers", (t) => (trailers = t));
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", () => undefined);
      stream.on("close", () => {
        clearTimeout(timer);
        const all = { ...responseHeaders, ...trailers };
        const status = all["grpc-status"];
        resolve({
          status: status === undefined ? undefined : Number(status),
          message: decodeURIComponent(String(all["grpc-message"] ?? "")),
          fields: violations(all["grpc-status-details-bin"] as string | undefined),
          responses: parseFrames(Buffer.concat(chunks)),
          rstCode: stream.rstCode === constants.NGHTTP2_NO_ERROR ? undefined : stream.rstCode,
        });
      });
      stream.end(body);
    });
  }

  close(): void {
    this.#session.close();
  }
}
