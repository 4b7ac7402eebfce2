import { parseArgs } from "node:util";
import { DEFAULT_EXPERIMENT_ALPHA } from "@modelrouter/policy";
import { simulateDegradations, simulateExperiments, summarise, type SimulationScenario } from "./experiment-simulation.js";

/** The families the benchmark simulates: the metric, the true effect size, and the test's settings. */
export const SCENARIOS: readonly (SimulationScenario & { readonly title: string })[] = [
  {
    title: "accuracy, ±5 points",
    metric: "accuracy",
    effect: 0.05,
    maxSamples: 5_000,
    settings: { metric: "accuracy", minSamples: 100, alpha: DEFAULT_EXPERIMENT_ALPHA, maxErrorRate: undefined, minEffect: 0 },
  },
  {
    title: "accuracy, ±2 points",
    metric: "accuracy",
    effect: 0.02,
    maxSamples: 5_000,
    settings: { metric: "accuracy", minSamples: 100, alpha: DEFAULT_EXPERIMENT_ALPHA, maxErrorRate: undefined, minEffect: 0 },
  },
  {
    title: "reward, ±0.05 (sd 0.25)",
    metric: "reward",
    effect: 0.05,
    maxSamples: 5_000,
    settings: { metric: "reward", minSamples: 100, alpha: DEFAULT_EXPERIMENT_ALPHA, maxErrorRate: undefined, minEffect: 0 },
  },
  {
    title: "latency, ±5 % (sd 20 %)",
    metric: "latency",
    effect: 2.5,
    maxSamples: 5_000,
    settings: { metric: "latency", minSamples: 100, alpha: DEFAULT_EXPERIMENT_ALPHA, maxErrorRate: undefined, minEffect: 0 },
  },
];

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const percent = (value: number): string => `${(value * 100).toFixed(1)} %`;

/**
 * `npm run experiments -w @modelrouter/bench [-- --seed N --per-truth N]`: simulates experiments with known
 * true effects (a third none, a third better, a third worse) under continuous monitoring, for each scenario, and
 * prints the Markdown table of docs/benchmarks.md.
 */
function main(): void {
  const { values } = parseArgs({ options: { seed: { type: "string", default: "1" }, "per-truth": { type: "string", default: "300" } } });
  const seed = Number(values.seed);
  const perTruth = Number(values["per-truth"]);
  if (!Number.isInteger(seed) || !Number.isInteger(perTruth) || perTruth < 1) {
    throw new Error("--seed and --per-truth take whole numbers (--per-truth at least 1)");
  }
  out(`seed ${seed}, ${perTruth * 3} experiments per scenario, alpha ${DEFAULT_EXPERIMENT_ALPHA}, min_samples 100, a look after every sample\n`);
  out("| scenario | experiments | wrong promotions | wrong rollbacks | any verdict under no effect | power (promote better) | rollback of worse | median samples per arm |");
  out("|---|---|---|---|---|---|---|---|");
  SCENARIOS.forEach((scenario, index) => {
    const s = summarise(simulateExperiments(scenario, perTruth, seed + index));
    out(
      `| ${scenario.title} | ${s.experiments} | ${percent(s.wrongPromotionRate)} | ${percent(s.wrongRollbackRate)} | ` +
        `${percent(s.nullDecisionRate)} | ${percent(s.power)} | ${percent(s.rollbackPower)} | ${s.medianSamplesToDecide} |`,
    );
  });
  printDegradation(perTruth, seed + SCENARIOS.length);
}

/** A challenger as good as the control (85 %) that drops to 60 % after 300 samples per arm (600 requests). */
function printDegradation(runs: number, seed: number): void {
  const settings = SCENARIOS[0]!.settings;
  const results = simulateDegradations({ accuracy: 0.85, degradedAccuracy: 0.6, after: 300, maxSamples: 5_000, settings }, runs, seed);
  const rolledBack = results.filter((r): r is number => r !== undefined).sort((a, b) => a - b);
  const quantile = (q: number): number => rolledBack[Math.min(rolledBack.length - 1, Math.floor(q * rolledBack.length))] ?? 0;
  out("\n| degraded mid-run (85 % → 60 % after 600 requests) | runs | rolled back | within 500 requests | median requests to rollback | p95 |");
  out("|---|---|---|---|---|---|");
  out(
    `| accuracy, min_samples 100 | ${runs} | ${percent(rolledBack.length / runs)} | ` +
      `${percent(rolledBack.filter((r) => r <= 500).length / runs)} | ${quantile(0.5)} | ${quantile(0.95)} |`,
  );
}

try {
  main();
} catch (error) {
  process.stderr.write(`experiment simulation failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
