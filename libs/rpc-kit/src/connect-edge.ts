import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { Code } from "./code.js";
import { answerClientErrors } from "./connect-client-errors.js";
import { connectError, connectMessage, contentTypeOf, type EdgeResponse } from "./connect-protocol.js";
import { BodyTooLarge, clientGone, headerOf, headersGetter, readBody } from "./connect-request.js";
import { serveConnectStream } from "./connect-stream.js";
import type { UnexpectedErrorListener } from "./error-table.js";
import type { CallObserver } from "./call-observer.js";
import type { Authenticator } from "./identity.js";
import { decodeJsonMessage } from "./json-decoding.js";
import { MessageLimits } from "./limits.js";
import { methodSpecs } from "./method-spec.js";
import { decodeMessage, invalidRequest, undecodableAs } from "./request-decoding.js";
import { RpcError } from "./rpc-error.js";
import { serveUnary, shuttingDown, type Route } from "./serve-call.js";
import { createHttpOrHttpsServer, type ServerTls } from "./server-tls.js";
import type { ServiceRegistration, StreamLifetime } from "./service-types.js";
import { DEFAULT_MAX_DEADLINE_MS, normalizeTimeoutHeader, TIMEOUT_REJECTED_HEADER, timeoutRejection } from "./timeout-header.js";
import { extractContext } from "./tracing.js";

/** Options of {@link createConnectEdge}. */
export interface ConnectEdgeOptions {
  readonly services: readonly ServiceRegistration[];
  readonly onUnexpectedError?: UnexpectedErrorListener;
  /** The largest binary request body accepted, in bytes (JSON bodies may be 1.5× larger: base64 costs a third). Default {@link MessageLimits.EDGE_BYTES}. */
  readonly maxBodyBytes?: number;
  /** A longer `connect-timeout-ms` is lowered to this. Default one hour. */
  readonly maxDeadlineMs?: number;
  /**
   * Establishes the caller of every call before its handler runs (and before a bad body is reported); a
   * rejection is the call's status. None (authentication off): every call is `ANONYMOUS_ADMIN`.
   */
  readonly authenticate?: Authenticator;
  /** Told of each call as it starts and ends: metrics. */
  readonly observe?: CallObserver | undefined;
  /** Serve HTTPS only (and require client certificates when it has a client CA). None: plain HTTP. */
  readonly tls?: ServerTls | undefined;
}

/**
 * An HTTP/1.1 server speaking the Connect protocol's unary and server-streaming calls (JSON or binary), for
 * `curl` and browsers.
 */
export interface ConnectEdge {
  /** Binds and returns the bound port (0 picks a free one). */
  listen(host: string, port: number): Promise<number>;
  /**
   * Stops taking connections, ends the streams in flight with UNAVAILABLE (so that their clients reconnect
   * elsewhere) and lets the unary requests in flight finish for up to `graceMs` (new requests on open
   * connections get UNAVAILABLE), then closes every connection.
   */
  close(graceMs?: number): Promise<void>;
}

function protocolError(code: Code, message: string): RpcError {
  return new RpcError({ code, message });
}

function send(res: ServerResponse, response: EdgeResponse, closeConnection: boolean): void {
  if (res.destroyed) return;
  if (res.headersSent) {
    // A stream that failed after it started cannot take another answer: cut it so that the client sees it end.
    if (!res.writableEnded) res.destroy();
    return;
  }
  res.writeHead(response.status, { ...response.headers, ...(closeConnection ? { connection: "close" } : {}) });
  res.end(response.body);
}

/**
 * Serves the unary and server-streaming methods of the given services over the Connect protocol (JSON or
 * binary, identity or gzip) on HTTP/1.1, through the same call lifecycle as every other transport: the same
 * handlers, tracing, deadlines and error details (`google.rpc.ErrorInfo`, `google.rpc.BadRequest`). A unary
 * call is `application/json` or `application/proto`; a server-streaming call is `application/connect+json` or
 * `application/connect+proto` with enveloped messages ({@link serveConnectStream}). A body that cannot be
 * decoded is INVALID_ARGUMENT naming the field at fault; a body over the limit is RESOURCE_EXHAUSTED; a
 * `connect-timeout-ms` beyond `maxDeadlineMs` is lowered to it. This is the router's `curl` endpoint; internal
 * hops stay on grpc-js, which costs a fraction of the CPU per call.
 */
export function createConnectEdge(options: ConnectEdgeOptions): ConnectEdge {
  const routes = new Map<string, Route & { readonly streams: StreamLifetime }>();
  for (const { service, impl, streams } of options.services) {
    for (const spec of methodSpecs(service)) {
      if (spec.kind === "unary" || spec.kind === "server_streaming") {
        routes.set(spec.path, { spec, handler: impl[spec.localName] as Route["handler"], streams: streams ?? "subscription" });
      }
    }
  }
  const maxProto = options.maxBodyBytes ?? MessageLimits.EDGE_BYTES;
  const maxDeadlineMs = options.maxDeadlineMs ?? DEFAULT_MAX_DEADLINE_MS;
  let draining = false;
  /** Aborts when the edge drains: subscription streams end at once; answer streams run on until the grace ends. */
  const streamsDrain = new AbortController();
  const answersNeverDrain = new AbortController().signal;
  let active = 0;
  let drained: (() => void) | undefined;

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<EdgeResponse | undefined> {
    const path = (req.url ?? "/").split("?")[0]!;
    const route = routes.get(path);
    if (route === undefined) {
      const hint = `no such RPC ${JSON.stringify(path.slice(0, 200))}; POST to /<package>.<Service>/<Method>, e.g. /modelrouter.router.v1.RouterService/Infer`;
      return { ...connectError(protocolError(Code.UNIMPLEMENTED, hint)), status: 404 };
    }
    if (req.method !== "POST") {
      return { ...connectError(protocolError(Code.UNIMPLEMENTED, `${req.method ?? "?"} is not supported: send a POST`)), status: 405, headers: { "content-type": "application/json", allow: "POST" } };
    }
    const streaming = route.spec.kind === "server_streaming";
    const contentType = contentTypeOf(req.headers["content-type"]);
    if (contentType?.stream !== streaming) {
      const accepted = streaming ? "application/connect+json or application/connect+proto" : "application/json or application/proto";
      const what = streaming ? `${route.spec.method.name} streams its answer, so its request is one enveloped message: send ${accepted}` : `send ${accepted}`;
      const error = invalidRequest({ field: "content-type", description: `${JSON.stringify((req.headers["content-type"] ?? "").slice(0, 80))} is not supported: ${what}` });
      return { ...connectError(error), status: 415, headers: { "content-type": "application/json", "accept-post": accepted.replace(" or ", ", ") } };
    }
    const codec = contentType.codec;
    const limit = codec === "json" ? Math.floor(maxProto * 1.5) : maxProto;
    if (streaming) {
      // A stream that arrives while the edge drains is refused (the aborted signal), whatever its lifetime.
      const drainSignal = route.streams === "answer" && !draining ? answersNeverDrain : streamsDrain.signal;
      return serveConnectStream({
        route,
        req,
        res,
        codec,
        maxMessageBytes: limit,
        maxDeadlineMs,
        draining: drainSignal,
        onUnexpectedError: options.onUnexpectedError,
        authenticate: options.authenticate,
        observe: options.observe,
      });
    }
    const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
    if (encoding !== "identity" && encoding !== "gzip") {
      return connectError(protocolError(Code.UNIMPLEMENTED, `content-encoding ${JSON.stringify(encoding)} is not supported: send identity or gzip`), { "accept-encoding": "gzip" });
    }
    if (draining) return connectError(shuttingDown());
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        return connectError(protocolError(Code.RESOURCE_EXHAUSTED, `the request body is larger than the limit of ${limit} bytes`));
      }
      return connectError(invalidRequest({ field: "request", description: "could not be read: the body or its gzip encoding is malformed" }));
    }
    normalizeTimeoutHeader(req.headers, "connect-timeout-ms", maxDeadlineMs);
    const header = headerOf(req);
    let request: unknown;
    if (codec === "proto") request = decodeMessage(route.spec.method.input, body);
    else {
      const decoded = decodeJsonMessage(route.spec.method.input, body.toString("utf8"));
      request = "violation" in decoded ? undecodableAs(invalidRequest(decoded.violation)) : decoded.message;
    }
    const timeout = header("connect-timeout-ms");
    const { result } = serveUnary(
      route,
      request,
      {
        transport: "connect",
        system: "connect_rpc",
        parent: extractContext(req.headers, headersGetter),
        deadline: timeout === undefined ? Number.POSITIVE_INFINITY : Date.now() + Number(timeout),
        header,
        cancellation: [clientGone(res)],
        rejection: timeoutRejection(header(TIMEOUT_REJECTED_HEADER)),
        authenticate: options.authenticate,
        observe: options.observe,
      },
      options.onUnexpectedError,
    );
    const outcome = await result;
    return outcome.ok ? connectMessage(route.spec.method.output, outcome.response, codec) : connectError(outcome.error);
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    active++;
    respond(req, res)
      .catch((error: unknown) => {
        options.onUnexpectedError?.(error);
        return connectError(protocolError(Code.INTERNAL, "internal error; the server logged the cause"));
      })
      .then((response) => {
        // A body left unread (refused before it was read) is drained and the connection closed after the
        // answer, so that its bytes are never taken for the next request. A streamed response is written.
        if (response === undefined) return;
        const unread = !req.complete;
        send(res, response, draining || unread);
        if (unread) req.resume();
      })
      .finally(() => {
        active--;
        if (draining && active === 0) drained?.();
      });
  };

  let server: Server | undefined;
  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        const s = createHttpOrHttpsServer(options.tls, { requestTimeout: 0 }, handler);
        server = s;
        answerClientErrors(s);
        s.once("error", reject);
        s.listen(port, host, () => {
          const address = s.address();
          resolve(typeof address === "object" && address !== null ? address.port : port);
        });
      });
    },
    close(graceMs = 10_000) {
      const s = server;
      if (s === undefined) return Promise.resolve();
      draining = true;
      streamsDrain.abort();
      return new Promise((resolve) => {
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          s.closeAllConnections();
          resolve();
        };
        const timer = setTimeout(finish, graceMs);
        timer.unref();
        drained = () => {
          s.closeIdleConnections();
          finish();
        };
        s.close();
        s.closeIdleConnections();
        if (active === 0) drained();
      });
    },
  };
}
