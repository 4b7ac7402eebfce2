import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { StatusSchema } from "@modelrouter/contracts";
import { formatSpans } from "./format-spans.js";
import { decodeExportRequest, encodeExportResponse, otlpContentType, otlpFormatOf, type OtlpFormat } from "./otlp-decode.js";
import { flattenExportRequest, type ReceivedSpan } from "./otlp-spans.js";

const gunzipAsync = promisify(gunzip);

/** The path of OTLP/HTTP trace exports. */
const TRACES_PATH = "/v1/traces";

/** gRPC's INVALID_ARGUMENT, the code of the `google.rpc.Status` sent with a 400. */
const INVALID_ARGUMENT = 3;

/** Options of {@link startOtlpReceiver}. */
export interface OtlpReceiverOptions {
  /** The loopback address to listen on. Default `127.0.0.1`; `::1` works too. */
  readonly host?: string;
  /**
   * When export bodies are decoded. `"on-receipt"` (the default): before answering, so that a body that
   * does not decode gets its 400. `"on-read"`: bodies are kept as they arrive (after the path, method and
   * content-type checks) and decoded when `spans` or `waitFor` first needs them, so that a benchmark's
   * receiver does not spend the measured machine's CPU decoding during the run; an undecodable body is then
   * answered 200 and recorded in `rejected` when it is read.
   */
  readonly decode?: "on-receipt" | "on-read";
}

/** An export request the receiver refused, kept so that failure messages can say why spans are missing. */
export interface RejectedExport {
  /** The HTTP status sent back (400, 404, 405 or 415). */
  readonly status: number;
  readonly reason: string;
}

/** A running in-test OTLP/HTTP trace receiver. */
export interface OtlpReceiver {
  /** The full export URL, `http://127.0.0.1:<port>/v1/traces`, for `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. */
  readonly url: string;
  /** Every span received since the start or the last {@link OtlpReceiver.clear}, in arrival order (a copy). */
  readonly spans: readonly ReceivedSpan[];
  /** How many export requests were accepted (including requests with no spans). */
  readonly requestCount: number;
  /** Requests refused with an HTTP error, in arrival order (a copy). */
  readonly rejected: readonly RejectedExport[];
  /**
   * Resolves with the received spans as soon as `predicate` returns true for them (checked now and after each
   * accepted export). A predicate that throws counts as false. Rejects after `timeoutMs` (default 10 000 ms)
   * with a message listing every span that did arrive, refused requests and the predicate's last error; also
   * rejects when the receiver is closed first.
   */
  waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<readonly ReceivedSpan[]>;
  /** Forgets the received spans, the request count and the refused requests. */
  clear(): void;
  /** Stops listening, drops open connections and rejects pending {@link OtlpReceiver.waitFor} calls. */
  close(): Promise<void>;
}

interface Waiter {
  check(): void;
  fail(reason: string): void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function decompress(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  const name = (encoding ?? "identity").trim().toLowerCase();
  if (name === "identity" || name === "") return body;
  if (name !== "gzip") throw new HttpError(415, `unsupported Content-Encoding "${encoding}" (OTLP allows gzip)`);
  try {
    return await gunzipAsync(body);
  } catch (error) {
    throw new HttpError(400, `body is not valid gzip: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function errorBody(format: OtlpFormat | undefined, message: string): { type: string; body: Uint8Array | string } {
  const status = create(StatusSchema, { code: INVALID_ARGUMENT, message });
  if (format === "protobuf") return { type: otlpContentType.protobuf, body: toBinary(StatusSchema, status) };
  if (format === "json") return { type: otlpContentType.json, body: toJsonString(StatusSchema, status) };
  return { type: "text/plain; charset=utf-8", body: message };
}

/**
 * Starts a real OTLP/HTTP trace receiver on a free loopback port, for tests that check what a process exports.
 * `POST /v1/traces` accepts `application/x-protobuf` and `application/json` (OTLP/JSON, hex ids), gzip or
 * not, and answers 200 with an empty `ExportTraceServiceResponse` in the request's encoding; another content
 * type gets 415, a body that does not decode 400, another path 404 and another method 405 — each refusal is
 * recorded in {@link OtlpReceiver.rejected}. Decoding uses the OTLP subset in `proto/opentelemetry`, whose
 * field numbers the decoder self-test checks against the official OpenTelemetry serialisers.
 */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const host = options.host ?? "127.0.0.1";
  const deferred = options.decode === "on-read";
  let spans: ReceivedSpan[] = [];
  let pending: { readonly body: Buffer; readonly format: OtlpFormat }[] = [];
  let requestCount = 0;
  let rejected: RejectedExport[] = [];
  const waiters = new Set<Waiter>();

  const accept = async (request: IncomingMessage): Promise<OtlpFormat> => {
    const path = (request.url ?? "").split("?")[0];
    if (path !== TRACES_PATH) throw new HttpError(404, `no such path ${request.url ?? ""}; OTLP traces go to ${TRACES_PATH}`);
    if (request.method !== "POST") throw new HttpError(405, `method ${request.method ?? ""} not allowed; use POST`);
    const format = otlpFormatOf(request.headers["content-type"]);
    if (format === undefined) {
      throw new HttpError(
        415,
        `unsupported Content-Type "${request.headers["content-type"] ?? ""}"; use ${otlpContentType.protobuf} or ${otlpContentType.json}`,
      );
    }
    const body = await decompress(await readBody(request), request.headers["content-encoding"]);
    if (deferred) pending.push({ body, format });
    else spans.push(...decode(body, format));
    requestCount += 1;
    for (const waiter of [...waiters]) waiter.check();
    return format;
  };

  const decode = (body: Buffer, format: OtlpFormat): ReceivedSpan[] => {
    try {
      return flattenExportRequest(decodeExportRequest(body, format));
    } catch (error) {
      throw new HttpError(400, `cannot decode ${format} ExportTraceServiceRequest: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  /** The spans so far, decoding the bodies kept in "on-read" mode. */
  const allSpans = (): ReceivedSpan[] => {
    for (const { body, format } of pending) {
      try {
        spans.push(...decode(body, format));
      } catch (error) {
        rejected.push({ status: 400, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    pending = [];
    return spans;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      const format = await accept(request);
      response.writeHead(200, { "content-type": otlpContentType[format] });
      response.end(encodeExportResponse(format));
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      const reason = error instanceof Error ? error.message : String(error);
      rejected.push({ status, reason });
      const { type, body } = errorBody(otlpFormatOf(request.headers["content-type"]), reason);
      const headers: Record<string, string> = { "content-type": type };
      if (status === 405) headers["allow"] = "POST";
      if (!response.headersSent) response.writeHead(status, headers);
      response.end(body);
    }
  };

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}${TRACES_PATH}`;

  const describeState = (): string => {
    allSpans();
    const refused = rejected.map((r) => `  ${r.status}: ${r.reason}`).join("\n");
    return (
      `${spans.length} span(s) in ${requestCount} export request(s) arrived at ${url}:\n${formatSpans(spans)}` +
      (rejected.length === 0 ? "" : `\nrefused requests:\n${refused}`)
    );
  };

  return {
    url,
    get spans() {
      return [...allSpans()];
    },
    get requestCount() {
      return requestCount;
    },
    get rejected() {
      allSpans();
      return [...rejected];
    },
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        let lastError: unknown;
        const waiter: Waiter = {
          check() {
            const snapshot = [...allSpans()];
            let met = false;
            try {
              met = predicate(snapshot);
            } catch (error) {
              lastError = error;
            }
            if (!met) return;
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(snapshot);
          },
          fail(reason) {
            clearTimeout(timer);
            waiters.delete(waiter);
            const predicateError =
              lastError === undefined
                ? ""
                : `\nthe predicate last threw: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
            reject(new Error(`OTLP receiver: ${reason}; ${describeState()}${predicateError}`));
          },
        };
        const timer = setTimeout(() => waiter.fail(`condition not met within ${timeoutMs} ms`), timeoutMs);
        waiters.add(waiter);
        waiter.check();
      });
    },
    clear() {
      spans = [];
      pending = [];
      requestCount = 0;
      rejected = [];
    },
    close() {
      for (const waiter of [...waiters]) waiter.fail("closed while waiting");
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
