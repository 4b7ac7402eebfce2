import { join } from "node:path";
import { parseArgs } from "node:util";
import { numberOption, positive, positiveInt } from "../number-option.js";

/** Options of the shadow benchmark, from its command line. */
export interface ShadowBenchOptions {
  /** Open-model rate of each arm (with and without a shadow), req/s; both arms run at once. */
  readonly ratePerArm: number;
  readonly warmupS: number;
  readonly durationS: number;
  /** `MODELROUTER_SHADOW_MAX_IN_FLIGHT` of the router. */
  readonly maxShadowsInFlight: number;
  readonly seed: number;
  readonly jsonPath: string;
  /** The Markdown report to update; undefined: do not write it. */
  readonly docsPath?: string;
}

/** Help text of the shadow benchmark. */
export const SHADOW_USAGE = `usage: node tools/bench/dist/shadow/main.js [options]
  --rate R             open-model rate of each arm, req/s; both arms run side by side (default 40)
  --warmup S           warm-up seconds (default 3)
  --duration S         measured seconds (default 30)
  --max-shadows N      MODELROUTER_SHADOW_MAX_IN_FLIGHT of the router (default 32)
  --seed N             seed of the Poisson arrivals (default 1)
  --json FILE          machine-readable result (default tools/bench/results/shadow.json)
  --docs FILE          Markdown report to update (default docs/benchmarks.md; "none" to skip)`;

/**
 * Parses the shadow benchmark's arguments; throws an Error listing every bad option (with the usage) when
 * one is wrong, or the usage alone for `--help`.
 */
export function parseShadowOptions(args: readonly string[], repoRoot: string): ShadowBenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rate: { type: "string" },
      warmup: { type: "string" },
      duration: { type: "string" },
      "max-shadows": { type: "string" },
      seed: { type: "string" },
      json: { type: "string" },
      docs: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help === true) throw new Error(SHADOW_USAGE);
  const problems: string[] = [];
  const options: ShadowBenchOptions = {
    ratePerArm: numberOption("rate", values.rate, 40, positive, "a positive number of requests per second", problems),
    warmupS: numberOption("warmup", values.warmup, 3, (n) => n >= 0, "a number of seconds ≥ 0", problems),
    durationS: numberOption("duration", values.duration, 30, positive, "a positive number of seconds", problems),
    maxShadowsInFlight: numberOption("max-shadows", values["max-shadows"], 32, (n) => Number.isInteger(n) && n >= 0, "an integer ≥ 0", problems),
    seed: numberOption("seed", values.seed, 1, positiveInt, "a positive integer", problems),
    jsonPath: values.json ?? join(repoRoot, "tools/bench/results/shadow.json"),
    ...(values.docs === "none" ? {} : { docsPath: values.docs ?? join(repoRoot, "docs/benchmarks.md") }),
  };
  if (problems.length > 0) throw new Error(`${problems.join("\n")}\n${SHADOW_USAGE}`);
  return options;
}
