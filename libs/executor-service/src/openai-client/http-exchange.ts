import * as http from "node:http";
import * as https from "node:https";
import { isIP } from "node:net";
import { Code, type RpcError } from "@modelrouter/rpc-kit";
import type { EndpointConnector } from "../oip-client/endpoint-connection.js";
import type { EndpointUrl } from "../oip-client/endpoint-url.js";
import type { EndpointErrorOptions } from "../oip-client/oip-errors.js";
import type { OipCall } from "../oip-client/oip-types.js";
import { pinnedLookup } from "../oip-client/rest-transport.js";

/** What reads one HTTP answer as it arrives; each method may throw the call's error. */
export interface ResponseSink<R> {
  /** The status line and headers arrived. */
  head(status: number, headers: http.IncomingHttpHeaders): void;
  /** The next chunk of the body. */
  chunk(data: Buffer): void;
  /** The body ended; the call's result. */
  end(): R;
  /** The error for an answer cut off (the connection closed before its end), given what happened. */
  broken(problem: string): RpcError;
}

/** One HTTP request of {@link exchange}. */
export interface ExchangeOptions<R> {
  readonly agent: http.Agent;
  readonly endpoint: EndpointUrl;
  readonly connector: EndpointConnector;
  readonly method: "GET" | "POST";
  /** The path after the endpoint's base path ("/models"). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** A JSON body; absent: none. */
  readonly body?: string;
  readonly call: OipCall;
  /** The most bytes of the answer's body. */
  readonly maxResponseBytes: number;
  /** Makes the call's errors (the message naming the endpoint). */
  readonly error: (code: Code, problem: string, options?: EndpointErrorOptions) => RpcError;
  /** The sink of the answer, given a function that hides the credential in text quoted from the server. */
  readonly sink: (redact: (text: string) => string) => ResponseSink<R>;
}

/**
 * Sends one HTTP request to a pinned address of the endpoint (the host name stays the Host header and TLS server
 * name) with the credential as `Authorization: Bearer …`, and feeds the answer to the sink as it arrives. The
 * call's deadline and abort signal destroy the request (and its connection) at any point, the answer's stream
 * included; so does a sink's error. A connection that failed before the request was written (or was refused) may
 * be retried on another endpoint; nothing after the answer started is.
 */
export async function exchange<R>(options: ExchangeOptions<R>): Promise<R> {
  const { call, endpoint, connector, error } = options;
  const remaining = call.deadline - Date.now();
  if (remaining <= 0) throw error(Code.DEADLINE_EXCEEDED, "the deadline passed before the call");
  if (call.signal.aborted) throw error(Code.CANCELLED, "the call was cancelled");
  let connection;
  try {
    connection = await connector.connection();
  } catch (cause) {
    throw error(Code.UNAVAILABLE, `cannot connect: ${cause instanceof Error ? cause.message : String(cause)}`, { retry: true, cause });
  }
  const secret = connection.credential;
  const redact = (text: string): string => (secret === undefined || secret === "" ? text : text.split(secret).join("[credential]"));
  const sink = options.sink(redact);
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (secret !== undefined) headers.authorization = `Bearer ${secret}`;
  const address = connection.addresses[0] ?? endpoint.host;
  return new Promise<R>((resolve, reject) => {
    let written = false;
    let answered = false;
    let settled = false;
    const finish = (failure: Error | undefined, value?: R): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      call.signal.removeEventListener("abort", onAbort);
      if (failure === undefined) return resolve(value as R);
      request.destroy();
      reject(failure);
    };
    const fail = (thrown: unknown): void => finish(thrown instanceof Error ? thrown : new Error(String(thrown)));
    const timer = Number.isFinite(remaining) ? setTimeout(() => finish(error(Code.DEADLINE_EXCEEDED, "no answer before the deadline")), remaining) : undefined;
    const onAbort = (): void => finish(error(Code.CANCELLED, "the call was cancelled"));
    call.signal.addEventListener("abort", onAbort, { once: true });
    const request = (endpoint.tls ? https : http).request({
      agent: options.agent,
      method: options.method,
      host: endpoint.host,
      port: endpoint.port,
      path: `${endpoint.basePath}${options.path}`,
      headers,
      servername: isIP(endpoint.host) === 0 ? endpoint.host : undefined,
      lookup: pinnedLookup(address),
    });
    if (call.signal.aborted) onAbort();
    request.on("finish", () => {
      written = true;
    });
    request.on("error", (cause: NodeJS.ErrnoException) => {
      if (settled) return;
      if (answered) return finish(sink.broken("the connection closed"));
      const refused = cause.code === "ECONNREFUSED" || !written;
      if (refused) connector.forget();
      finish(error(Code.UNAVAILABLE, `the connection failed (${cause.code ?? cause.message})`, { retry: refused, cause }));
    });
    request.on("response", (response) => {
      answered = true;
      let size = 0;
      try {
        sink.head(response.statusCode ?? 0, response.headers);
      } catch (thrown) {
        return fail(thrown);
      }
      response.on("data", (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > options.maxResponseBytes) return finish(error(Code.RESOURCE_EXHAUSTED, `the answer is larger than ${options.maxResponseBytes} bytes`));
        try {
          sink.chunk(chunk);
        } catch (thrown) {
          fail(thrown);
        }
      });
      response.on("error", () => finish(sink.broken("the connection closed")));
      response.on("close", () => {
        if (!response.complete) finish(sink.broken("the connection closed"));
      });
      response.on("end", () => {
        if (settled) return;
        try {
          finish(undefined, sink.end());
        } catch (thrown) {
          fail(thrown);
        }
      });
    });
    request.end(options.body);
  });
}
