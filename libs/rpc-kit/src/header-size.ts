import { Code } from "./code.js";
import { RpcError } from "./rpc-error.js";

/**
 * The most bytes of request headers (names and values, as HTTP/2 counts them: 32 more per entry) a gRPC server
 * accepts: 16 KiB, the limit Node's HTTP/1.1 server applies at the Connect edge. grpc-js itself has none.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Set by a server's header check on a call whose headers were too large (with their size); a client's own value is removed. */
export const HEADERS_REJECTED_HEADER = "x-modelrouter-rejected-headers";

/** Headers a call needs to be refused properly: kept when the others are dropped. */
const KEPT = /^(:|content-type$|te$|grpc-)/;

type HeaderMap = Record<string, string | string[] | undefined>;

const sizeOf = (name: string, value: string | string[] | undefined): number =>
  value === undefined ? 0 : (Array.isArray(value) ? value : [value]).reduce((sum, v) => sum + name.length + v.length + 32, 0);

/**
 * Checks a call's request headers before the transport reads them, in place: when they are larger than `maxBytes`,
 * every header but the protocol's own is dropped (so that none is parsed into the call's metadata) and the size is
 * recorded under {@link HEADERS_REJECTED_HEADER}, for {@link headerSizeRejection}.
 */
export function limitHeaderSize(headers: HeaderMap, maxBytes = MAX_HEADER_BYTES): void {
  delete headers[HEADERS_REJECTED_HEADER];
  let total = 0;
  for (const [name, value] of Object.entries(headers)) total += sizeOf(name, value);
  if (total <= maxBytes) return;
  for (const name of Object.keys(headers)) if (!KEPT.test(name)) delete headers[name];
  headers[HEADERS_REJECTED_HEADER] = `${total} ${maxBytes}`;
}

/** The RESOURCE_EXHAUSTED of a call whose headers were too large, or undefined when they were not. */
export function headerSizeRejection(marker: string | undefined): RpcError | undefined {
  if (marker === undefined) return undefined;
  const [size = "?", limit = String(MAX_HEADER_BYTES)] = marker.split(" ");
  return new RpcError({
    code: Code.RESOURCE_EXHAUSTED,
    message: `the request's headers (metadata) are ${size} bytes, more than the limit of ${limit}: send less metadata, or put large values in the request message`,
  });
}
