import { create } from "@bufbuild/protobuf";
import { type Duration, durationMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  DecisionRecordSchema,
  type DecisionRecord,
  type InputProfile,
  type Output,
  type RoutingDecision,
  type TokenUsage,
} from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import type { Execution } from "./execute-with-fallbacks.js";

/** The best label of the first classification output, if the model classified. */
export function topLabel(outputs: readonly Output[]): string {
  for (const output of outputs) {
    if (output.value.case === "classification") return output.value.value.labels[0]?.label ?? "";
  }
  return "";
}

/** The token usage of the first generation output (a chat model's answer); undefined for other answers. */
export function generationUsage(outputs: readonly Output[]): TokenUsage | undefined {
  for (const output of outputs) {
    if (output.value.case === "generation") return output.value.value.usage;
  }
  return undefined;
}

/** What the router logs about one routed request. */
export interface RoutedRequest {
  readonly requestId: string;
  readonly tenant: string;
  /** What the policies saw of the caller besides the tenant, logged so that another policy can be replayed. */
  readonly request: {
    readonly metadata: Readonly<Record<string, string>>;
    readonly tier: string;
    readonly userId: string;
    readonly timeout: Duration;
  };
  readonly profile: InputProfile;
  readonly decision: RoutingDecision;
  readonly traceId: string;
  readonly time: number;
}

/** The duration of the attempt that answered, in milliseconds (the last attempt of a successful execution). */
function servedLatencyMs(execution: Execution): number {
  if (!execution.ok) return 0;
  const duration = execution.attempts.at(-1)?.duration;
  return duration === undefined ? 0 : durationMs(duration);
}

/**
 * The decision log entry of a routed request and its execution. Its `propensity` is the decision's, as decided
 * (the probability of the target's choice), even when a fallback served. It keeps what the policies saw
 * (`request`, `input`) and a bandit's key and features, for off-policy evaluation and for the bandit's learning,
 * whether the answer was `streamed` (InferStream), and a generation's token usage (a generation has no top label).
 */
export function decisionRecordOf(routed: RoutedRequest, execution: Execution, streamed = false): DecisionRecord {
  const usage = execution.ok ? generationUsage(execution.response.outputs) : undefined;
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
    request: { ...routed.request, metadata: { ...routed.request.metadata } },
    input: routed.profile,
    bandit: routed.decision.bandit,
    features: routed.decision.features,
    latencyMs: servedLatencyMs(execution),
    streamed,
    ...(usage === undefined ? {} : { usage }),
  });
}
