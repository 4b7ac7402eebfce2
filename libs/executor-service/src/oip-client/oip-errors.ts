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

/**
 * An error of an OIP call to `url`: `code`, the message naming the endpoint. `retry`: another endpoint may take
 * the call (the request never reached the server, or the server answered UNAVAILABLE without serving it).
 */
export function oipError(code: Code, url: string, problem: string, options: { readonly retry?: boolean; readonly cause?: unknown } = {}): RpcError {
  const error = new RpcError({ code, message: `OIP endpoint ${url}: ${problem}`, metadata: { endpoint: url }, cause: options.cause });
  if (options.retry === true) retryable.add(error);
  return error;
}

/** An error for an HTTP answer with status `status` and body `body` (`{"error": "…"}` or text). */
export function httpError(url: string, status: number, body: string): RpcError {
  let message = body;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === "object" && parsed !== null && typeof (parsed as { error?: unknown }).error === "string") {
      message = (parsed as { error: string }).error;
    }
  } catch {
    // not JSON: the body is the message
  }
  const code = codeOfHttpStatus(status);
  return oipError(code, url, `HTTP ${status}: ${quoteRemote(message.trim())}`, { retry: code === Code.UNAVAILABLE });
}

/** Whether another endpoint may take a call that failed with `error` (see {@link oipError}). */
export function isRetryableOnAnother(error: unknown): boolean {
  return error instanceof RpcError && retryable.has(error);
}
