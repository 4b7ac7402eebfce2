import { create } from "@bufbuild/protobuf";
import { ExperimentMetric, ExperimentStatusSchema, type ExperimentStatus, type Policy } from "@modelrouter/contracts";
import { assessExperiment, type ExperimentAssessment } from "@modelrouter/policy";
import type { RegistryStore } from "../store/registry-store.js";
import { outcomeArms } from "./experiment-conclusion.js";
import { readArmFigures } from "./read-arms.js";
import { armModels, experimentRoutes, storedPolicies, type ExperimentRoute } from "./running-experiments.js";

const METRICS = { accuracy: ExperimentMetric.ACCURACY, reward: ExperimentMetric.REWARD, latency: ExperimentMetric.LATENCY } as const;

/** A running experiment as it stands: the route, its arms' figures and the test's assessment. */
export interface ExperimentLook {
  readonly policy: Policy;
  readonly route: ExperimentRoute;
  readonly models: ReturnType<typeof armModels>;
  readonly arms: Awaited<ReturnType<typeof readArmFigures>>;
  readonly assessment: ExperimentAssessment;
}

/**
 * Looks at a running experiment: reads its arms from the decisions of its policy, rule and the policy's
 * current revision, and runs the test (with `previousPValues`, the running p-values of the last look).
 */
export async function lookAtExperiment(
  store: RegistryStore,
  policy: Policy,
  route: ExperimentRoute,
  previousPValues: readonly (number | undefined)[] = [],
  signal?: AbortSignal,
): Promise<ExperimentLook> {
  const models = armModels(route.route);
  const scope = { policy: policy.name, rule: route.rule, revision: policy.revision };
  const arms = await readArmFigures(store, scope, models, route.settings.metric, signal);
  return { policy, route, models, arms, assessment: assessExperiment(route.settings, arms, previousPValues) };
}

/** The ExperimentStatus of a look at a running experiment. */
export function runningStatus(look: ExperimentLook): ExperimentStatus {
  const { policy, route, assessment } = look;
  return create(ExperimentStatusSchema, {
    name: route.settings.name,
    policy: policy.name,
    rule: route.rule,
    metric: METRICS[route.settings.metric],
    revision: policy.revision,
    arms: outcomeArms(look.models, look.arms),
    pValues: assessment.comparisons.map((c) => c.pValue),
    effects: assessment.comparisons.map((c) => c.effect),
    note: assessment.decision.kind === "undecided" ? assessment.decision.note : `deciding: ${assessment.decision.reason}`,
  });
}

/** The ExperimentStatus of an ended experiment, from the evidence its route carries. */
export function endedStatus(policy: Policy, route: ExperimentRoute): ExperimentStatus {
  const outcome = route.route.experiment?.outcome;
  return create(ExperimentStatusSchema, {
    name: route.settings.name,
    policy: policy.name,
    rule: route.rule,
    metric: METRICS[route.settings.metric],
    revision: outcome?.fromRevision ?? 0n,
    arms: outcome?.arms ?? [],
    pValues: outcome === undefined ? [] : [outcome.pValue],
    effects: outcome === undefined ? [] : [outcome.effect],
    ...(outcome === undefined ? {} : { outcome }),
  });
}

/** The running always-valid p-values of the experiments looked at, by {@link lookKey}. */
export type PValueMemory = Map<string, readonly number[]>;

/** The key of a running experiment in a {@link PValueMemory}: its policy, rule and revision. */
export function lookKey(policy: Policy, route: ExperimentRoute): string {
  return `${policy.name}\u0000${route.rule}\u0000${policy.revision}`;
}

/**
 * Looks at a running experiment with the running p-values of `memory` (when given) and stores the new ones
 * there.
 */
export async function lookWithMemory(
  store: RegistryStore,
  policy: Policy,
  route: ExperimentRoute,
  memory: PValueMemory | undefined,
  signal?: AbortSignal,
): Promise<ExperimentLook> {
  const key = lookKey(policy, route);
  const look = await lookAtExperiment(store, policy, route, memory?.get(key) ?? [], signal);
  memory?.set(key, look.assessment.comparisons.map((c) => c.pValue));
  return look;
}

/**
 * The experiments of the stored policies (only `policyName`'s when given), running ones with their current
 * figures and p-values (kept in `memory` when given, as the monitor's looks are), ended ones with their evidence; in policy order, then route order.
 */
export async function listExperimentStatuses(
  store: RegistryStore,
  policyName: string | undefined,
  memory?: PValueMemory,
): Promise<ExperimentStatus[]> {
  const policies = policyName !== undefined ? [await store.getPolicy(policyName)] : await storedPolicies(store);
  const statuses: ExperimentStatus[] = [];
  for (const policy of policies) {
    for (const route of experimentRoutes(policy)) {
      statuses.push(route.running ? runningStatus(await lookWithMemory(store, policy, route, memory)) : endedStatus(policy, route));
    }
  }
  return statuses;
}
