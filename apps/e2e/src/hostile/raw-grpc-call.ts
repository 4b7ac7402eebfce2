import http2 from "node:http2";
import { fromBinary } from "@bufbuild/protobuf";
import { OpenRequestSchema, OpenResponseSchema } from "@modelrouter/contracts";
import type { CallOutcome, CallStatus } from "./call-outcome.js";
import { readGrpcFrames } from "./grpc-frame.js";
import { violationsOf, violationsOfTrailer } from "./status-details.js";

/** One gRPC call as raw HTTP/2: any path, headers and body bytes, exactly as given. */
export interface RawGrpcCase {
  readonly id: string;
  readonly target: string;
  readonly address: string;
  readonly path: string;
  readonly family: string;
  readonly note: string;
  /** Request headers (pseudo-headers allowed, e.g. `:method`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** The response is a stream of `modelrouter.rpc.v1.OpenResponse` messages (a tunnel). */
  readonly tunnel: boolean;
}

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;

/** HTTP/2 error codes (RFC 9113 §7). */
const rstNames = [
  "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
  "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
];

/** `grpc-message` is percent-encoded. */
function decodeGrpcMessage(raw: string | undefined): string {
  if (raw === undefined) return "";
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function header(headers: http2.IncomingHttpHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

function statusFrom(headers: http2.IncomingHttpHeaders | undefined): CallStatus | undefined {
  const code = header(headers, "grpc-status");
  if (code === undefined) return undefined;
  return {
    code: Number(code),
    message: decodeGrpcMessage(header(headers, "grpc-message")),
    violations: violationsOfTrailer(header(headers, "grpc-status-details-bin")),
  };
}

/**
 * How many answers a tunnel stream owes for this body: one per whole, uncompressed frame that decodes as an
 * OpenRequest other than a cancel. The tunnel cancels the calls still running when the client half-closes, so
 * the stream is held open until these have come (or the server ends it).
 */
export function tunnelAnswersOwed(body: Uint8Array): number {
  let owed = 0;
  let at = 0;
  while (body.length - at >= 5) {
    const flag = body[at];
    const length = new DataView(body.buffer, body.byteOffset + at + 1, 4).getUint32(0, false);
    if (flag !== 0 || body.length - at - 5 < length) break;
    try {
      if (!fromBinary(OpenRequestSchema, body.subarray(at + 5, at + 5 + length)).cancel) owed += 1;
    } catch {
      break;
    }
    at += 5 + length;
  }
  return owed;
}

function tunnelStatuses(body: Uint8Array): CallStatus[] {
  const statuses: CallStatus[] = [];
  for (const message of readGrpcFrames(body).messages) {
    try {
      const answer = fromBinary(OpenResponseSchema, message);
      const status = answer.status;
      statuses.push(status === undefined ? { code: 0, message: "", violations: undefined } : { code: status.code, message: status.message, violations: violationsOf(status) });
    } catch {
      statuses.push({ code: -1, message: "an OpenResponse that does not decode", violations: undefined });
    }
  }
  return statuses;
}

interface Connection {
  readonly session: http2.ClientHttp2Session;
  goaway: boolean;
  error: string | undefined;
}

/** Options of {@link createRawGrpcCaller}. */
export interface RawGrpcCallerOptions {
  /** A call with no status after this long is cancelled and counted as hung. Default 7 000 ms (the cases ask for 5 s). */
  readonly guardMs?: number;
}

/** Sends raw cases over one HTTP/2 connection at a time, one case at a time, reconnecting after a GOAWAY or a broken connection. */
export interface RawGrpcCaller {
  call(entry: RawGrpcCase): Promise<CallOutcome>;
  close(): void;
}

/** A {@link RawGrpcCaller} to one `host:port`. */
export function createRawGrpcCaller(address: string, options: RawGrpcCallerOptions = {}): RawGrpcCaller {
  const guardMs = options.guardMs ?? 7_000;
  let current: Connection | undefined;

  const open = (): Connection => {
    if (current !== undefined && !current.session.closed && !current.session.destroyed && !current.goaway && current.error === undefined) return current;
    current?.session.destroy();
    const connection: Connection = { session: http2.connect(`http://${address}`, { maxSendHeaderBlockLength: 1 << 20 }), goaway: false, error: undefined };
    connection.session.on("goaway", () => {
      connection.goaway = true;
    });
    connection.session.on("error", (error: Error) => {
      connection.error = error.message;
    });
    current = connection;
    return connection;
  };

  return {
    call(entry) {
      const connection = open();
      const started = performance.now();
      return new Promise((resolve) => {
        let response: http2.IncomingHttpHeaders | undefined;
        let trailers: http2.IncomingHttpHeaders | undefined;
        let streamError: string | undefined;
        let hung = false;
        const chunks: Buffer[] = [];
        let stream: http2.ClientHttp2Stream;
        try {
          stream = connection.session.request({ ":method": "POST", ":path": entry.path, ...entry.headers });
        } catch (error) {
          // The client library refused to send it (e.g. a header Node will not encode): not something to count.
          resolve({ ...outcomeBase(entry), httpStatus: undefined, status: undefined, innerStatuses: [], reset: undefined, goaway: false, hung: false, unsent: (error as Error).message, elapsedMs: 0 });
          return;
        }
        // A stream the server never answers may never close either: give up on it and on its connection.
        const guard = setTimeout(() => {
          hung = true;
          connection.error ??= "abandoned after a call got no answer";
          stream.close(NGHTTP2_CANCEL);
          connection.session.destroy();
          finish();
        }, guardMs);
        // Once the server has given its status, a stream held open for a tunnel's answers ends on this side too.
        const endOnStatus = (headers: http2.IncomingHttpHeaders): void => {
          if (header(headers, "grpc-status") !== undefined && !stream.writableEnded) stream.end();
        };
        stream.on("response", (headers) => {
          response = headers;
          endOnStatus(headers);
        });
        stream.on("trailers", (headers) => {
          trailers = headers;
          endOnStatus(headers);
        });
        const owed = entry.tunnel ? tunnelAnswersOwed(entry.body) : 0;
        stream.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          if (owed > 0 && !stream.writableEnded && readGrpcFrames(Buffer.concat(chunks)).messages.length >= owed) stream.end();
        });
        stream.on("error", (error: Error) => {
          streamError = error.message;
        });
        let finished = false;
        const finish = (): void => {
          if (finished) return;
          finished = true;
          clearTimeout(guard);
          const status = statusFrom(trailers) ?? statusFrom(response);
          const rst = stream.rstCode;
          let reset: string | undefined;
          if (!hung && rst !== undefined && rst !== NGHTTP2_NO_ERROR) reset = `RST_STREAM ${rstNames[rst] ?? rst}`;
          else if (!hung && status === undefined && (streamError !== undefined || connection.error !== undefined)) reset = `stream error: ${streamError ?? connection.error}`;
          const httpStatus = header(response, ":status");
          resolve({
            ...outcomeBase(entry),
            httpStatus: httpStatus === undefined ? undefined : Number(httpStatus),
            status,
            innerStatuses: entry.tunnel ? tunnelStatuses(Buffer.concat(chunks)) : [],
            reset,
            goaway: connection.goaway,
            hung,
            unsent: undefined,
            elapsedMs: performance.now() - started,
          });
        };
        stream.on("close", finish);
        const bytes = Buffer.from(entry.body.buffer, entry.body.byteOffset, entry.body.byteLength);
        if (owed > 0) stream.write(bytes);
        else stream.end(bytes);
      });
    },
    close() {
      current?.session.close();
    },
  };
}

function outcomeBase(entry: RawGrpcCase): Pick<CallOutcome, "caseId" | "target" | "path" | "family" | "note"> {
  return { caseId: entry.id, target: entry.target, path: entry.path, family: entry.family, note: entry.note };
}

/** Runs cases against their addresses, `concurrency` connections per address, each connection one case at a time. */
export async function runRawGrpcCases(cases: readonly RawGrpcCase[], concurrency: number, options: RawGrpcCallerOptions = {}): Promise<CallOutcome[]> {
  const outcomes: CallOutcome[] = new Array<CallOutcome>(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    const callers = new Map<string, RawGrpcCaller>();
    try {
      for (;;) {
        const index = next++;
        const entry = cases[index];
        if (entry === undefined) return;
        let caller = callers.get(entry.address);
        if (caller === undefined) {
          caller = createRawGrpcCaller(entry.address, options);
          callers.set(entry.address, caller);
        }
        outcomes[index] = await caller.call(entry);
      }
    } finally {
      for (const caller of callers.values()) caller.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}
