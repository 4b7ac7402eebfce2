import { create } from "@bufbuild/protobuf";
import { CandidateRole, type Model, OfflineMetricsSchema, type Strategy } from "@modelrouter/contracts";
import { type CompiledPolicy, type EvaluationResult, createModelCatalogue, evaluatePolicies } from "./index.js";
import { NOON, compiled, imageInput, model, requestContext } from "./policy-fixtures.test-support.js";

export { seededRandom } from "./seeded-random.js";

/** A model version declaring these offline metrics. */
export function measuredModel(
  name: string,
  metrics: { accuracy?: number; f1?: number; p50LatencyMs?: number; costPerRequest?: number },
  labels: Record<string, string> = {},
): Model {
  return { ...model(name, "1", { labels }), metrics: create(OfflineMetricsSchema, metrics) };
}

/** A policy with one default route over model targets, with per-target weights and the route's settings. */
export function strategyPolicy(
  strategy: Strategy,
  targets: readonly { name: string; weight?: number }[],
  settings: { stickyKey?: string; metric?: string; constraints?: string[]; fallbacks?: string[] } = {},
): CompiledPolicy {
  return compiled({
    name: "strategies",
    defaultRoute: {
      strategy,
      targets: targets.map((t) => ({ kind: { case: "model", value: { name: t.name } }, weight: t.weight ?? 0 })),
      fallbacks: (settings.fallbacks ?? []).map((name) => ({ kind: { case: "model", value: { name } } })),
      stickyKey: settings.stickyKey ?? "",
      metric: settings.metric ?? "",
      constraints: settings.constraints ?? [],
    },
  });
}

/** Decides one request of `user` (none when empty) with a policy over these models. */
export function decideFor(
  policy: CompiledPolicy,
  models: readonly Model[],
  options: {
    user?: string;
    metadata?: Record<string, string>;
    random?: () => number;
    load?: Readonly<Record<string, number>>;
  } = {},
): EvaluationResult {
  return evaluatePolicies({
    policies: [policy],
    catalogue: createModelCatalogue(models, 1n),
    profile: imageInput(),
    context: requestContext({ userId: options.user ?? "", metadata: options.metadata ?? {} }),
    now: NOON,
    load: (m) => options.load?.[m.name] ?? 0,
    random:
      options.random ??
      (() => {
        throw new Error("a keyed request must not draw random numbers");
      }),
  });
}

/** The name of the decision's target model. */
export function chosen(result: EvaluationResult): string {
  return result.decision.target?.model?.name ?? "";
}

/** Each candidate of the explanation as "name: metric score" ("name: -" when it carries no score). */
export function scored(result: EvaluationResult): string[] {
  return (result.decision.explanation?.candidates ?? []).map((c) =>
    c.score === undefined ? `${c.model?.name}: -` : `${c.model?.name}: ${c.metric} ${c.score}`,
  );
}

/** Each candidate of the explanation as "name: ROLE: reason". */
export function explained(result: EvaluationResult): string[] {
  return (result.decision.explanation?.candidates ?? []).map((c) => `${c.model?.name}: ${CandidateRole[c.role]}: ${c.reason}`);
}
