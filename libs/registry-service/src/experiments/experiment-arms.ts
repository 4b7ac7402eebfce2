import type { DecisionRecord } from "@modelrouter/contracts";
import { SampleAccumulator, type ExperimentArmFigures, type ExperimentMetricName } from "@modelrouter/policy";

/** An arm's model: a name, and a version or "" for whichever version served. */
export interface ArmModel {
  readonly name: string;
  readonly version: string;
}

/** How an arm is named in notes and evidence: "name@version", or the name when no version is pinned. */
export function armLabel(model: ArmModel): string {
  return model.version === "" ? model.name : `${model.name}@${model.version}`;
}

/**
 * The metric's sample of one decision answered by its arm: accuracy 1/0 from a label's feedback, the reward of
 * a reward's feedback, the latency of an answered request; undefined when the decision gives none.
 */
function sampleOf(record: DecisionRecord, metric: ExperimentMetricName): number | undefined {
  if (metric === "latency") return record.code === 0 && record.latencyMs > 0 ? record.latencyMs : undefined;
  const value = record.feedback?.value;
  if (metric === "reward") return value?.case === "reward" ? value.value : undefined;
  return value?.case === "label" ? (record.feedback?.correct === true ? 1 : 0) : undefined;
}

/**
 * Each arm's figures from the decisions of the experiment's policy, rule and revision: a decision belongs to
 * the arm the split chose (its first attempt); it counts as a request of that arm, as an error when the arm did
 * not answer (it failed, or a fallback answered), and as a sample of the metric when the arm answered and the
 * decision carries one (see `sampleOf`).
 */
export function armFigures(
  arms: readonly ArmModel[],
  decisions: Iterable<DecisionRecord>,
  metric: ExperimentMetricName,
): ExperimentArmFigures[] {
  const tallies = arms.map(() => ({ samples: new SampleAccumulator(), requests: 0, errors: 0 }));
  const armOf = new Map(arms.map((arm, index) => [arm.name, index]));
  for (const record of decisions) {
    const chosen = record.attempted[0]?.name;
    const index = chosen === undefined ? undefined : armOf.get(chosen);
    if (index === undefined) continue;
    const tally = tallies[index]!;
    tally.requests += 1;
    const answered = record.code === 0 && record.model?.name === chosen;
    if (!answered) {
      tally.errors += 1;
      continue;
    }
    const sample = sampleOf(record, metric);
    if (sample !== undefined) tally.samples.add(sample);
  }
  return arms.map((arm, index) => {
    const tally = tallies[index]!;
    return { label: armLabel(arm), ...tally.samples.sample(), requests: tally.requests, errors: tally.errors };
  });
}
