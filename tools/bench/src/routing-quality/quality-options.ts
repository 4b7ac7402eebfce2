import { join } from "node:path";
import { parseArgs } from "node:util";
import { nonNegative, numberOption, positiveInt } from "../number-option.js";

/** Options of the routing-quality benchmark, from its command line. */
export interface QualityBenchOptions {
  readonly seed: number;
  /** Labelled requests the learning modes see before they are measured. */
  readonly learning: number;
  /** Requests every mode is measured on. */
  readonly evaluation: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Off-policy evaluation trials, and the logged requests in each. */
  readonly opeTrials: number;
  readonly opeRequests: number;
  readonly jsonPath: string;
  /** The Markdown report to update; undefined: do not write it. */
  readonly docsPath?: string;
}

/** Help text of the routing-quality benchmark. */
export const QUALITY_USAGE = `usage: node tools/bench/dist/routing-quality/main.js [options]
  --seed N             seed of the workload and of the trials (default 1)
  --learning N         labelled requests the bandits learn from before they are measured (default 2000)
  --evaluation N       held-out requests every mode is measured on (default 1000)
  --concurrency N      requests in flight at once (default 4)
  --ope-trials N       off-policy evaluation trials (default 20; 0 to skip)
  --ope-requests N     logged, labelled requests per trial (default 300)
  --json FILE          machine-readable result (default tools/bench/results/routing-quality.json)
  --docs FILE          Markdown report to update (default docs/benchmarks.md; "none" to skip)`;

/** Parses the benchmark's arguments; throws an Error naming every bad option (with the usage), or the usage for `--help`. */
export function parseQualityOptions(args: readonly string[], repoRoot: string): QualityBenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      seed: { type: "string" },
      learning: { type: "string" },
      evaluation: { type: "string" },
      concurrency: { type: "string" },
      "ope-trials": { type: "string" },
      "ope-requests": { type: "string" },
      json: { type: "string" },
      docs: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help === true) throw new Error(QUALITY_USAGE);
  const problems: string[] = [];
  const count = (name: string, value: string | undefined, fallback: number): number =>
    numberOption(name, value, fallback, (n) => Number.isInteger(n) && nonNegative(n), "an integer ≥ 0", problems);
  const atLeastOne = (name: string, value: string | undefined, fallback: number): number =>
    numberOption(name, value, fallback, positiveInt, "an integer ≥ 1", problems);
  const options = {
    seed: count("seed", values.seed, 1),
    learning: count("learning", values.learning, 2000),
    evaluation: atLeastOne("evaluation", values.evaluation, 1000),
    concurrency: atLeastOne("concurrency", values.concurrency, 4),
    opeTrials: count("ope-trials", values["ope-trials"], 20),
    opeRequests: atLeastOne("ope-requests", values["ope-requests"], 300),
    jsonPath: values.json ?? join(repoRoot, "tools/bench/results/routing-quality.json"),
    ...(values.docs === "none" ? {} : { docsPath: values.docs ?? join(repoRoot, "docs/benchmarks.md") }),
  };
  if (problems.length > 0) throw new Error(`${problems.join("\n")}\n\n${QUALITY_USAGE}`);
  return options;
}
