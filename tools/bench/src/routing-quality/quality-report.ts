import type { MachineInfo } from "../report/machine-info.js";
import type { ModeFigures } from "./quality-scores.js";

/** One off-policy evaluation trial: the estimate of a draft policy on logged traffic, and its true accuracy there. */
export interface OpeTrial {
  readonly draft: string;
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly effectiveSampleSize: number;
  /** The draft's accuracy on the trial's requests, from every model's known answers to them. */
  readonly truth: number;
}

/** What the routing-quality benchmark measured. */
export interface QualityBenchResult {
  readonly startedAt: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly seed: number;
  readonly learning: number;
  readonly evaluation: number;
  readonly scanShare: number;
  readonly oracleAccuracy: number;
  readonly bestSingle: { readonly model: string; readonly accuracy: number };
  readonly modes: readonly (ModeFigures & { readonly name: string })[];
  /** For each learning mode, its accuracy over consecutive blocks of the learning stream. */
  readonly learningCurves: Readonly<Record<string, readonly number[]>>;
  readonly learningBlock: number;
  readonly opeTrials: readonly OpeTrial[];
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : "–");
const num = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : "–");

/** The share of trials whose interval holds the truth, per draft. */
export function opeCoverage(trials: readonly OpeTrial[]): Map<string, { covered: number; trials: number }> {
  const coverage = new Map<string, { covered: number; trials: number }>();
  for (const t of trials) {
    const c = coverage.get(t.draft) ?? { covered: 0, trials: 0 };
    coverage.set(t.draft, { covered: c.covered + (t.lower <= t.truth && t.truth <= t.upper ? 1 : 0), trials: c.trials + 1 });
  }
  return coverage;
}

/** The `bench:routing-quality` section of docs/benchmarks.md. */
export function renderQualityMarkdown(result: QualityBenchResult): string {
  const lines = [
    `Measured ${result.startedAt} on ${result.machine.cores} × ${result.machine.cpuModel}, Node ${result.machine.node}; \`${result.command}\`. Seed ${result.seed}: ${result.evaluation} held-out`,
    `requests (${pct(result.scanShare)} of them 8×8 scans, the rest MNIST digits; images never seen in training nor in the`,
    `learning stream), the learning modes first fed ${result.learning} labelled requests from the other half of the images.`,
    `Best single model: ${result.bestSingle.model} (${pct(result.bestSingle.accuracy)}); per-request oracle ${pct(result.oracleAccuracy)}.`,
    `Cost is the mean compute of the model that answered (its model card's p50, µs per request).`,
    "",
    "| mode | accuracy | PGR | cost µs | p50 ms | failed | traffic |",
    "|---|---|---|---|---|---|---|",
    ...result.modes.map(
      (m) =>
        `| ${m.name} | ${pct(m.accuracy)} | ${num(m.pgr)} | ${num(m.cost, 1)} | ${num(m.p50LatencyMs)} | ${m.failed} | ${Object.entries(m.shares)
          .sort((a, b) => b[1] - a[1])
          .map(([model, share]) => `${model} ${pct(share)}`)
          .join(", ")} |`,
    ),
  ];
  const curves = Object.entries(result.learningCurves);
  if (curves.length > 0) {
    lines.push("", `Accuracy while learning, per block of ${result.learningBlock} labelled requests:`, "");
    for (const [mode, curve] of curves) lines.push(`- ${mode}: ${curve.map(pct).join(" → ")}`);
  }
  if (result.opeTrials.length > 0) {
    lines.push(
      "",
      "Off-policy evaluation (`EvaluatePolicy`, self-normalised IPS with its 95 % interval) of two unapplied drafts on traffic",
      "logged by a uniform random split over the three models, against each draft's true accuracy on the same requests:",
      "",
      "| draft | trials | interval holds the truth | mean estimate | mean truth | mean ESS |",
      "|---|---|---|---|---|---|",
    );
    for (const [draft, c] of opeCoverage(result.opeTrials)) {
      const mine = result.opeTrials.filter((t) => t.draft === draft);
      const mean = (f: (t: OpeTrial) => number): number => mine.reduce((s, t) => s + f(t), 0) / mine.length;
      lines.push(
        `| ${draft} | ${c.trials} | ${c.covered} (${pct(c.covered / c.trials)}) | ${pct(mean((t) => t.estimate))} | ${pct(mean((t) => t.truth))} | ${num(mean((t) => t.effectiveSampleSize), 0)} |`,
      );
    }
  }
  return lines.join("\n");
}
