import { ERROR_DOMAIN, ErrorReason } from "@modelrouter/errors";
import { Code, codeName, isRpcError, RpcError } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";

/** The services the router calls, as a client reads their names. */
export type Hop = "analyzer" | "decision engine" | "executor" | "registry";

function plainMessage(hop: Hop, code: number): string {
  switch (code) {
    case Code.DEADLINE_EXCEEDED:
      return `the ${hop} did not answer before the deadline`;
    case Code.CANCELLED:
      return `the call to the ${hop} was cancelled`;
    case Code.RESOURCE_EXHAUSTED:
      return `the ${hop} is overloaded or the request is too large for it`;
    case Code.UNAVAILABLE:
      return `the ${hop} is unavailable; retry later`;
    default:
      return `the ${hop} failed (${codeName(code)}); the router logged the cause`;
  }
}

/**
 * What a client learns of a failed call to one of the router's services. Errors of modelrouter's own domain
 * (with an `ErrorInfo` reason: a bad field, no route, an overloaded executor) pass through as they are — they
 * say what to fix. Anything else is a transport's report (a refused connection, a broken tunnel, a library's
 * timeout) naming internal addresses and details a client must not see: it keeps its code, so that retries and
 * fallbacks work the same, gets a plain message naming the hop, and the original is logged. A service that refuses
 * the router's internal credential (UNAUTHENTICATED, PERMISSION_DENIED) is INTERNAL: the client's credential was
 * fine, the deployment's internal tokens differ. (Only the authenticator's refusals: a model server refusing the
 * executor's endpoint credential is the executor's failure, reported like any other.)
 */
export function hopError(hop: Hop, error: unknown, logger: Logger): RpcError {
  if (isRpcError(error) && error.domain === ERROR_DOMAIN && (error.reason === ErrorReason.UNAUTHENTICATED || error.reason === ErrorReason.PERMISSION_DENIED)) {
    // The service refused the router's own credential: a deployment's mistake, not the client's.
    logger.error(`the ${hop} refused the router's internal credential`, { code: codeName(error.code), error });
    return new RpcError({
      code: Code.INTERNAL,
      message: `the ${hop} refused the router's internal credential: every service must have the same MODELROUTER_INTERNAL_TOKEN; the router logged the cause`,
      cause: error,
    });
  }
  if (isRpcError(error) && error.domain === ERROR_DOMAIN) return error;
  const code = isRpcError(error) ? error.code : Code.INTERNAL;
  logger.warn(`call to the ${hop} failed`, { code: codeName(code), error });
  return new RpcError({ code, message: plainMessage(hop, code), cause: error });
}
