import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { Code } from "./code.js";
import { COMPRESSED_FLAG, ENVELOPE_PREFIX_BYTES, readSingleEnvelope } from "./connect-envelope.js";
import { type Codec, connectEndStream, connectStreamMessage, type EdgeResponse, streamContentType } from "./connect-protocol.js";
import { BodyTooLarge, clientGone, headerOf, headersGetter, readBody } from "./connect-request.js";
import type { UnexpectedErrorListener } from "./error-table.js";
import type { CallObserver } from "./call-observer.js";
import type { Authenticator } from "./identity.js";
import { decodeJsonMessage } from "./json-decoding.js";
import { decodeMessage, invalidRequest, undecodableAs } from "./request-decoding.js";
import { RpcError } from "./rpc-error.js";
import { serveStream, shuttingDown, type Route } from "./serve-call.js";
import { normalizeTimeoutHeader, TIMEOUT_REJECTED_HEADER, timeoutRejection } from "./timeout-header.js";
import { extractContext } from "./tracing.js";

const gunzipAsync = promisify(gunzip);
type Message = MessageShape<DescMessage>;

/** One server-streaming call the Connect edge received, and what it may take. */
export interface ConnectStreamCall {
  readonly route: Route;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly codec: Codec;
  /** The largest request message, in bytes (before the envelope's prefix; once inflated when compressed). */
  readonly maxMessageBytes: number;
  readonly maxDeadlineMs: number;
  /** Aborts when the edge shuts down: the stream ends with UNAVAILABLE so that the client reconnects. */
  readonly draining: AbortSignal;
  readonly onUnexpectedError: UnexpectedErrorListener | undefined;
  /** The edge's authenticator, if any: run before the handler (and before a bad message is reported). */
  readonly authenticate?: Authenticator | undefined;
  readonly observe?: CallObserver | undefined;
}

/**
 * Serves a server-streaming method over the Connect protocol: the request body is one enveloped message (JSON
 * or binary, optionally gzip-compressed as `connect-content-encoding` says), the response is HTTP 200 with each
 * message enveloped as the handler yields it and an end-of-stream message last — `{}`, or `{"error": …}` with
 * the same code, message and details as a unary error. Every error, also a bad envelope, a body over the limit
 * or a malformed `connect-timeout-ms`, is that end-of-stream message. The call runs through the one call
 * lifecycle (`serveStream`); it ends DEADLINE_EXCEEDED at its `connect-timeout-ms` even when the handler does not
 * watch its signal, is cancelled when the client goes away, and ends UNAVAILABLE when the edge shuts down.
 *
 * @returns the response when it is one message written at once (the call failed before streaming); undefined
 * once the response has been streamed.
 */
export async function serveConnectStream(stream: ConnectStreamCall): Promise<EdgeResponse | undefined> {
  const { route, req, res, codec } = stream;
  const failed = (error: RpcError): EdgeResponse => ({ status: 200, headers: { "content-type": streamContentType(codec) }, body: connectEndStream(error) });
  if (stream.draining.aborted) return failed(shuttingDown());
  const header = headerOf(req);
  const encoding = (header("connect-content-encoding") ?? "identity").toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip") {
    return failed(new RpcError({ code: Code.UNIMPLEMENTED, message: `connect-content-encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported: send identity or gzip` }));
  }
  const limit = ENVELOPE_PREFIX_BYTES + stream.maxMessageBytes;
  let body: Buffer;
  try {
    body = await readBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLarge) return failed(tooLarge(stream.maxMessageBytes));
    return failed(invalidRequest({ field: "request", description: "could not be read: the body or its gzip encoding is malformed" }));
  }
  const message = await messageOf(body, encoding === "gzip", stream.maxMessageBytes);
  let request: unknown;
  if (message instanceof RpcError) request = undecodableAs(message);
  else if (codec === "proto") request = decodeMessage(route.spec.method.input, message);
  else {
    const decoded = decodeJsonMessage(route.spec.method.input, Buffer.from(message).toString("utf8"));
    request = "violation" in decoded ? undecodableAs(invalidRequest(decoded.violation)) : decoded.message;
  }
  normalizeTimeoutHeader(req.headers, "connect-timeout-ms", stream.maxDeadlineMs);
  const timeout = header("connect-timeout-ms");
  const deadline = timeout === undefined ? Number.POSITIVE_INFINITY : Date.now() + Number(timeout);
  const served = serveStream(
    route,
    request,
    {
      transport: "connect",
      system: "connect_rpc",
      parent: extractContext(req.headers, headersGetter),
      deadline,
      header,
      cancellation: [clientGone(res), stream.draining],
      rejection: timeoutRejection(header(TIMEOUT_REJECTED_HEADER)),
      authenticate: stream.authenticate,
      observe: stream.observe,
    },
    stream.onUnexpectedError,
    stream.draining,
  );
  await writeStream(res, served.result, { route, codec, deadline, cancel: () => served.call.cancel(), onUnexpectedError: stream.onUnexpectedError });
  return undefined;
}

/** The request message of a body: its one envelope's data, inflated when compressed; or the error to answer. */
async function messageOf(body: Buffer, gzip: boolean, maxBytes: number): Promise<Uint8Array | RpcError> {
  const envelope = readSingleEnvelope(body);
  if ("problem" in envelope) return invalidRequest({ field: "request", description: envelope.problem });
  if ((envelope.flags & COMPRESSED_FLAG) === 0) return envelope.data;
  if (!gzip) {
    return invalidRequest({ field: "request", description: "is compressed (envelope flag 0x01) but connect-content-encoding is identity: send connect-content-encoding: gzip, or an uncompressed message" });
  }
  try {
    return await gunzipAsync(envelope.data, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") return tooLarge(maxBytes);
    return invalidRequest({ field: "request", description: "could not be inflated: the message is not valid gzip" });
  }
}

function tooLarge(maxBytes: number): RpcError {
  return new RpcError({ code: Code.RESOURCE_EXHAUSTED, message: `the request message is larger than the limit of ${maxBytes} bytes` });
}

const DEADLINE = Symbol("deadline");
const GONE = Symbol("gone");

/** How {@link writeStream} writes one call's stream. */
interface Writing {
  readonly route: Route;
  readonly codec: Codec;
  /** Epoch ms; Infinity for none. */
  readonly deadline: number;
  /** Cancels the call (its signal aborts). */
  readonly cancel: () => void;
  readonly onUnexpectedError: UnexpectedErrorListener | undefined;
}

/**
 * Writes the stream's messages as they come, waiting while the client's socket is full, then the end-of-stream
 * message. When the client goes away, or at the deadline (answering DEADLINE_EXCEEDED), cancels the call and
 * returns the messages (which ends the handler) without waiting for a handler that ignores its signal.
 */
async function writeStream(res: ServerResponse, messages: AsyncGenerator<Message>, writing: Writing): Promise<void> {
  const { route, codec, deadline, cancel } = writing;
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<typeof DEADLINE>((resolve) => {
    const delay = deadline - Date.now();
    if (Number.isFinite(delay)) timer = setTimeout(() => resolve(DEADLINE), Math.max(0, Math.min(delay, 2 ** 31 - 1)));
  });
  const gone = new Promise<typeof GONE>((resolve) => res.once("close", () => resolve(GONE)));
  let abandoned = false;
  try {
    res.writeHead(200, { "content-type": streamContentType(codec) });
    for (;;) {
      const next = await Promise.race([messages.next(), expiry, gone]);
      if (next === GONE || res.destroyed) {
        // The client went away: the call is cancelled; a handler that does not stop is not waited for.
        abandoned = true;
        cancel();
        return;
      }
      if (next === DEADLINE) {
        abandoned = true;
        cancel();
        res.end(connectEndStream(new RpcError({ code: Code.DEADLINE_EXCEEDED, message: "deadline exceeded" })));
        return;
      }
      if (next.done === true) break;
      if (!res.write(connectStreamMessage(route.spec.method.output, next.value, codec))) await drained(res);
    }
    res.end(connectEndStream());
  } catch (error) {
    if (!(error instanceof RpcError)) writing.onUnexpectedError?.(error);
    const rpcError = error instanceof RpcError ? error : new RpcError({ code: Code.INTERNAL, message: "internal error; the server logged the cause" });
    if (!res.destroyed) res.end(connectEndStream(rpcError));
  } finally {
    clearTimeout(timer);
    const ended = messages.return(undefined).catch(() => undefined);
    if (!abandoned) await ended;
  }
}

/** Resolves when the response can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
