import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ExperimentMetric, ExperimentVerdict, type ExperimentArm, type ExperimentStatus } from "@modelrouter/contracts";
import { formatTable } from "./table.js";

const METRIC_NAMES: Readonly<Record<number, string>> = {
  [ExperimentMetric.UNSPECIFIED]: "accuracy",
  [ExperimentMetric.ACCURACY]: "accuracy",
  [ExperimentMetric.REWARD]: "reward",
  [ExperimentMetric.LATENCY]: "latency",
};

const VERDICTS: Readonly<Record<number, string>> = {
  [ExperimentVerdict.PROMOTED]: "promoted",
  [ExperimentVerdict.ROLLED_BACK]: "rolled back",
};

function armText(arm: ExperimentArm, metric: ExperimentMetric): string {
  const name = arm.model?.version === "" || arm.model?.version === undefined ? arm.model?.name : `${arm.model.name}@${arm.model.version}`;
  const mean = metric === ExperimentMetric.LATENCY ? `${arm.mean.toFixed(1)}ms` : arm.mean.toFixed(3);
  const errors = arm.errors === 0n ? "" : `, ${arm.errors}/${arm.requests} failed`;
  return `${name} ${arm.samples === 0n ? "-" : mean} (n=${arm.samples}${errors})`;
}

function pValueText(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

function statusText(experiment: ExperimentStatus): string {
  const outcome = experiment.outcome;
  if (outcome === undefined) return `running: ${experiment.note}`;
  const when = outcome.time === undefined ? "" : ` ${timestampDate(outcome.time).toISOString()}`;
  return `${VERDICTS[outcome.verdict] ?? "ended"} ${outcome.challenger?.name ?? ""}${when}: ${outcome.reason}`;
}

/**
 * The rows of `experiments list`: one per experiment, with its policy and rule ("(default)" for the default
 * route), metric, the revision it runs (or ran) in, each arm's mean and samples (the control first, failures
 * when any), the challengers' always-valid p-values and effects, and its status: "running" with the reason it
 * has not decided yet, or the verdict with its time and evidence.
 */
export function experimentTable(experiments: readonly ExperimentStatus[]): string[] {
  const rows = experiments.map((e) => [
    e.name,
    `${e.policy}/${e.rule === "" ? "(default)" : e.rule}`,
    METRIC_NAMES[e.metric] ?? "accuracy",
    String(e.revision),
    e.arms.map((arm) => armText(arm, e.metric)).join(" vs "),
    e.pValues.map(pValueText).join(", "),
    e.effects.map((effect) => `${effect >= 0 ? "+" : ""}${effect.toFixed(3)}`).join(", "),
    statusText(e),
  ]);
  return formatTable(["EXPERIMENT", "POLICY/RULE", "METRIC", "REVISION", "ARMS", "P-VALUE", "EFFECT", "STATUS"], rows);
}
