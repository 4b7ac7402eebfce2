import type { DecisionRecord } from "@modelrouter/contracts";
import type { ExperimentArmFigures, ExperimentMetricName } from "@modelrouter/policy";
import type { DecisionKey } from "../store/decision-query.js";
import type { RegistryStore } from "../store/registry-store.js";
import { armFigures, type ArmModel } from "./experiment-arms.js";

/** How many logged decisions one page of an experiment's reading holds. */
const PAGE_SIZE = 500;
/**
 * The most decisions read for one experiment at one look, newest first: beyond, the test has long had the
 * samples it needs, and a look stays bounded in time and memory.
 */
export const MAX_EXPERIMENT_DECISIONS = 100_000;

/** Which decisions an experiment reads: its policy, rule ("" for the default route) and revision. */
export interface ExperimentScope {
  readonly policy: string;
  readonly rule: string;
  readonly revision: bigint;
}

async function* scopedDecisions(store: RegistryStore, scope: ExperimentScope, signal?: AbortSignal): AsyncIterable<DecisionRecord> {
  let after: DecisionKey | undefined;
  let read = 0;
  const filter = { policy: scope.policy, rule: scope.rule, policyRevision: scope.revision };
  do {
    signal?.throwIfAborted();
    const page = await store.listDecisions(filter, after === undefined ? { size: PAGE_SIZE } : { size: PAGE_SIZE, after });
    yield* page.items;
    read += page.items.length;
    after = page.nextAfter;
  } while (after !== undefined && read < MAX_EXPERIMENT_DECISIONS);
}

/** Each arm's figures from the decision log (see `armFigures`), at most {@link MAX_EXPERIMENT_DECISIONS} decisions. */
export async function readArmFigures(
  store: RegistryStore,
  scope: ExperimentScope,
  models: readonly ArmModel[],
  metric: ExperimentMetricName,
  signal?: AbortSignal,
): Promise<ExperimentArmFigures[]> {
  const records: DecisionRecord[] = [];
  for await (const record of scopedDecisions(store, scope, signal)) records.push(record);
  return armFigures(models, records, metric);
}
