import { ErrorReason } from "@modelrouter/errors";
import type { Logger } from "@modelrouter/telemetry";
import { Code, RpcError } from "@modelrouter/rpc-kit";

/** How much of a remote server's error message is quoted in ours. */
export const MAX_QUOTED_ERROR = 300;

/**
 * The one table from an OIP server's HTTP status to the gRPC code the executor answers with. 400 means the
 * server refused the tensor (INVALID_ARGUMENT); 404 the model is not on it (NOT_FOUND); 429 it is overloaded
 * (RESOURCE_EXHAUSTED); 502, 503 and 504 the server or its gateway cannot serve now (UNAVAILABLE: the router
 * falls back, and the executor first retries on another endpoint); 401 and 403 our credential is missing or
 * refused (UNAUTHENTICATED, PERMISSION_DENIED); 408 the server gave up waiting (DEADLINE_EXCEEDED); other
 * 5xx are the server's own failure (INTERNAL: the same request would fail again, so no retry); other 4xx
 * are a request the server cannot take (FAILED_PRECONDITION: the registration does not fit the server).
 */
export function codeOfHttpStatus(status: number): Code {
  switch (status) {
    case 400:
      return Code.INVALID_ARGUMENT;
    case 401:
      return Code.UNAUTHENTICATED;
    case 403:
      return Code.PERMISSION_DENIED;
    case 404:
      return Code.NOT_FOUND;
    case 408:
      return Code.DEADLINE_EXCEEDED;
    case 429:
      return Code.RESOURCE_EXHAUSTED;
    case 502:
    case 503:
    case 504:
      return Code.UNAVAILABLE;
    default:
      return status >= 500 ? Code.INTERNAL : Code.FAILED_PRECONDITION;
  }
}

/** A remote message, quoted and cut to {@link MAX_QUOTED_ERROR} characters. */
export function quoteRemote(message: string): string {
  const cut = message.length > MAX_QUOTED_ERROR ? `${message.slice(0, MAX_QUOTED_ERROR)}…` : message;
  return JSON.stringify(cut);
}

/** The errors another endpoint may take the call after. */
const retryable = new WeakSet<RpcError>();

/** Options of {@link oipError} and {@link endpointError}. */
export interface EndpointErrorOptions {
  /** Another endpoint may take the call (the request never reached the server, or it answered UNAVAILABLE without serving it). */
  readonly retry?: boolean;
  readonly cause?: unknown;
}

/**
 * An error of a call to the `protocol` endpoint `url` ("OIP", "OpenAI"): `code`, the message naming the endpoint
 * ("OpenAI endpoint http://…: problem"); `retry` marks it for {@link isRetryableOnAnother}.
 */
export function endpointError(protocol: string, code: Code, url: string, problem: string, options: EndpointErrorOptions = {}): RpcError {
  const error = new RpcError({ code, message: `${protocol} endpoint ${url}: ${problem}`, metadata: { endpoint: url }, cause: options.cause });
  if (options.retry === true) retryable.add(error);
  return error;
}

/**
 * An error of an OIP call to `url`: `code`, the message naming the endpoint. `retry`: another endpoint may take
 * the call (the request never reached the server, or the server answered UNAVAILABLE without serving it).
 */
export function oipError(code: Code, url: string, problem: string, options: EndpointErrorOptions = {}): RpcError {
  return endpointError("OIP", code, url, problem, options);
}

/**
 * An error for an HTTP answer with status `status` and body `body` from a `protocol` endpoint (default "OIP"):
 * the code of {@link codeOfHttpStatus}, the server's message quoted — OIP's `{"error": "…"}`, OpenAI's
 * `{"error": {"message", "type", "code"}}` (type and code added when given), or the body as text. UNAVAILABLE
 * answers may be retried on another endpoint.
 */
export function httpError(url: string, status: number, body: string, protocol = "OIP"): RpcError {
  const code = codeOfHttpStatus(status);
  return endpointError(protocol, code, url, `HTTP ${status}: ${remoteMessage(body)}`, { retry: code === Code.UNAVAILABLE });
}

/** The message of an error body, quoted: `{"error": "…"}`, `{"error": {"message": …}}` or the text itself. */
export function remoteMessage(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch {
    return quoteRemote(body.trim());
  }
  const error = typeof parsed === "object" && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
  if (typeof error === "string") return quoteRemote(error.trim());
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
    const { message, type, code } = error as { message: string; type?: unknown; code?: unknown };
    const details = [
      typeof type === "string" && type !== "" ? `type ${quoteRemote(type)}` : "",
      (typeof code === "string" && code !== "") || typeof code === "number" ? `code ${quoteRemote(String(code))}` : "",
    ].filter((d) => d !== "");
    return `${quoteRemote(message.trim())}${details.length === 0 ? "" : ` (${details.join(", ")})`}`;
  }
  return quoteRemote(body.trim());
}

/** Whether another endpoint may take a call that failed with `error` (see {@link oipError}). */
export function isRetryableOnAnother(error: unknown): boolean {
  return error instanceof RpcError && retryable.has(error);
}

/**
 * The error of a remote model version its `protocol` endpoints ("OIP", "OpenAI") cannot serve (the server lacks the
 * model, or it does not fit the registration): FAILED_PRECONDITION, NO_SERVABLE_MODEL, naming `problem`.
 */
export function notServableError(protocol: string, model: { readonly name: string; readonly version: string }, problem: string, field?: string): RpcError {
  return new RpcError({
    code: Code.FAILED_PRECONDITION,
    message: `model ${model.name}@${model.version} cannot be served by its ${protocol} endpoints: ${problem}`,
    reason: ErrorReason.NO_SERVABLE_MODEL,
    metadata: { model: model.name, version: model.version, ...(field === undefined ? {} : { field }) },
  });
}

/** The log line of an endpoint's readiness change, for `EndpointPoolOptions.onReadiness`. */
export function readinessLogger(logger: Logger, protocol: string, model: string, version: string): (url: string, ready: boolean, problem: string | undefined) => void {
  return (url, ready, problem) =>
    (ready ? logger.info : logger.warn)(ready ? `${protocol} endpoint ready` : `${protocol} endpoint not ready; skipped while others are`, {
      model,
      version,
      endpoint: url,
      ...(problem === undefined ? {} : { problem }),
    });
}
