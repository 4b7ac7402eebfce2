import { ERROR_DOMAIN } from "@modelrouter/errors";
import { Code, type RpcError } from "@modelrouter/rpc-kit";

/**
 * What one attempt says about the instance it ran on: it `answered` (an answer or an error of modelrouter's own,
 * whatever it says about the request), it `failed` (no answer came: refused, unreachable, or silent until the
 * deadline), or nothing (`neutral`: cancelled by the caller, a transport error that says nothing of the executor).
 */
export type InstanceOutcome = "answered" | "failed" | "neutral";

/**
 * The {@link InstanceOutcome} of an attempt that ended with `error` (undefined: it succeeded). Only the absence
 * of an answer counts against an instance — UNAVAILABLE or DEADLINE_EXCEEDED that did not come from a
 * modelrouter service (no `modelrouter.dev` ErrorInfo, so the transport's). An executor that answers, even with
 * an error, is reachable and working: RESOURCE_EXHAUSTED (saturated) is load that other instances would only
 * inherit, and a model it cannot load or a payload it refuses belongs to the model version, not the instance.
 */
export function instanceOutcomeOf(error: RpcError | undefined): InstanceOutcome {
  if (error === undefined || error.domain === ERROR_DOMAIN) return "answered";
  return error.code === Code.UNAVAILABLE || error.code === Code.DEADLINE_EXCEEDED ? "failed" : "neutral";
}
