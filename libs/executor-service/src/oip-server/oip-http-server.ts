import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { invalidField } from "@modelrouter/errors";
import { createHttpOrHttpsServer, MessageLimits, type ServerTls } from "@modelrouter/rpc-kit";
import { parseHostPort } from "@modelrouter/syntax";
import type { Logger } from "@modelrouter/telemetry";
import type { OipEndpoint } from "./oip-endpoint.js";
import { restErrorOf } from "./rest-errors.js";
import { HEADER_LENGTH_HEADER, type RestBody, decodeRestInfer, encodeRestInfer } from "./rest-infer-body.js";
import { type RestRoute, routeOf } from "./rest-routes.js";

/** Options of {@link startOipHttpServer}. */
export interface OipHttpServerOptions {
  /** The OIP operations (see `createOipEndpoint`). */
  readonly endpoint: OipEndpoint;
  /** `host:port` to listen on; port 0 picks a free one. */
  readonly listen: string;
  readonly logger: Logger;
  /** The largest request body accepted, in bytes; a larger one is answered 413. Default: 16 MiB, the executor's gRPC limit. */
  readonly maxBodyBytes?: number;
  /** The deadline of an inference, in milliseconds (REST carries none). Default: 60 s. */
  readonly inferTimeoutMs?: number;
  /** Serve HTTPS only (and require client certificates when it has a client CA). None: plain HTTP. */
  readonly tls?: ServerTls | undefined;
}

/** A running OIP REST server. */
export interface OipHttpServer {
  /** The bound port. */
  readonly port: number;
  /**
   * Stops accepting connections, closes idle keep-alive connections, lets requests in flight finish for up to
   * `graceMs`, then closes the rest.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serves the Open Inference Protocol v2 REST API (HTTP/1.1 with keep-alive) on an OIP endpoint: health,
 * server and model metadata, model readiness, and inference with JSON tensors or the binary tensor extension.
 * Errors are `{"error": "…"}` with 400, 404, 405, 413, 503 or 504.
 */
export async function startOipHttpServer(options: OipHttpServerOptions): Promise<OipHttpServer> {
  const { endpoint, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? MessageLimits.INTERNAL_BYTES;
  const timeoutMs = options.inferTimeoutMs ?? 60_000;
  const server: Server = createHttpOrHttpsServer(options.tls, { keepAlive: true }, (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      logger.error("OIP REST handler failed unexpectedly (a bug)", { error });
      if (!res.headersSent) sendJson(res, 500, { error: "internal error in the executor; it logged the cause" });
      else res.destroy();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const route = routeOf(req.method ?? "", req.url ?? "/");
    if (route.kind === "none") {
      req.resume();
      const headers = route.allow === undefined ? {} : { allow: route.allow };
      sendJson(res, route.status, { error: route.message }, headers);
      return;
    }
    try {
      await answer(route, req, res);
    } catch (error) {
      const failure = restErrorOf(error);
      if (failure.status === 500) logger.error("OIP REST request failed", { path: req.url, error });
      const headers = failure.retryAfterSeconds === undefined ? {} : { "retry-after": String(failure.retryAfterSeconds) };
      if (!res.headersSent) sendJson(res, failure.status, { error: failure.message }, headers);
    }
  };

  const answer = async (route: Exclude<RestRoute, { kind: "none" }>, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    switch (route.kind) {
      case "live":
        return sendJson(res, 200, { live: endpoint.live() });
      case "ready": {
        const ready = endpoint.ready();
        return sendJson(res, ready ? 200 : 503, { ready });
      }
      case "server":
        return sendJson(res, 200, endpoint.serverMetadata());
      case "model":
        return sendJson(res, 200, await endpoint.modelMetadata(route.model, route.version));
      case "modelReady": {
        const metadata = await endpoint.modelMetadata(route.model, route.version);
        const ready = endpoint.ready();
        return sendJson(res, ready ? 200 : 503, { name: metadata.name, ready });
      }
      case "infer": {
        const body = await readBody(req, res, maxBodyBytes);
        if (body === undefined) return;
        const decoded = decodeRestInfer(body, headerLength(req), { name: route.model, version: route.version });
        const gone = new AbortController();
        res.on("close", () => {
          if (!res.writableFinished) gone.abort();
        });
        const result = await endpoint.infer(decoded.request, { deadline: Date.now() + timeoutMs, signal: gone.signal });
        return sendBody(res, encodeRestInfer(result, decoded));
      }
    }
  };

  const address = parseHostPort(options.listen);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address?.port ?? 0, address?.host ?? options.listen, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close(graceMs = 5_000) {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/** The JSON part's length of a binary-extension body; undefined without the header. */
function headerLength(req: IncomingMessage): number | undefined {
  const value = req.headers[HEADER_LENGTH_HEADER];
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value[0] : value;
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw invalidField("Inference-Header-Content-Length", `is ${JSON.stringify(text)}; give the JSON part's length in bytes`);
  }
  return n;
}

/**
 * The request body, or undefined when it was larger than `maxBytes` (by its Content-Length or as it streams in):
 * then it is answered 413 and the connection closed once the answer is sent, without reading the rest.
 */
function readBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const tooLarge = (): void => {
      settled = true;
      req.pause();
      res.setHeader("connection", "close");
      res.once("finish", () => req.destroy());
      sendJson(res, 413, { error: `the request body is larger than ${maxBytes} bytes, the most this executor accepts` });
      resolve(undefined);
    };
    if (Number(req.headers["content-length"] ?? "0") > maxBytes) {
      tooLarge();
      return;
    }
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.byteLength;
      if (size > maxBytes) tooLarge();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks));
    });
    req.on("error", (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": bytes.byteLength });
  res.end(bytes);
}

function sendBody(res: ServerResponse, body: RestBody): void {
  const headers: Record<string, string | number> = { "content-length": body.bytes.byteLength };
  if (body.headerLength === undefined) headers["content-type"] = "application/json";
  else {
    headers["content-type"] = "application/octet-stream";
    headers[HEADER_LENGTH_HEADER] = body.headerLength;
  }
  res.writeHead(200, headers);
  res.end(body.bytes);
}
