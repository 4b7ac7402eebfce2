import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DecisionRecordSchema, type DecisionRecord, type InputProfile, type Output, type RoutingDecision } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import type { Execution } from "./execute-with-fallbacks.js";

/** The best label of the first classification output, if the model classified. */
export function topLabel(outputs: readonly Output[]): string {
  for (const output of outputs) {
    if (output.value.case === "classification") return output.value.value.labels[0]?.label ?? "";
  }
  return "";
}

/** What the router logs about one routed request. */
export interface RoutedRequest {
  readonly requestId: string;
  readonly tenant: string;
  readonly profile: InputProfile;
  readonly decision: RoutingDecision;
  readonly traceId: string;
  readonly time: number;
}

/**
 * The decision log entry of a routed request and its execution. Its `propensity` is the decision's, as decided
 * (the probability of the target's choice), even when a fallback served.
 */
export function decisionRecordOf(routed: RoutedRequest, execution: Execution): DecisionRecord {
  return create(DecisionRecordSchema, {
    requestId: routed.requestId,
    time: timestampFromMs(routed.time),
    model: execution.ok ? execution.served.model : undefined,
    instance: execution.ok ? execution.instance : "",
    policy: routed.decision.policy,
    policyRevision: routed.decision.policyRevision,
    rule: routed.decision.rule,
    fallbackUsed: execution.ok && execution.fallbackUsed,
    attempted: execution.attempts.flatMap((attempt) => (attempt.model === undefined ? [] : [attempt.model])),
    code: execution.ok ? Code.OK : execution.error.code,
    topLabel: execution.ok ? topLabel(execution.response.outputs) : "",
    modality: routed.profile.modality,
    tenant: routed.tenant,
    traceId: routed.traceId,
    propensity: routed.decision.propensity,
  });
}
