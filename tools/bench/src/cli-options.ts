import { parseArgs } from "node:util";
import { numberOption, positive, positiveInt } from "./number-option.js";
import { SCENARIOS, isScenarioId, type ScenarioId } from "./scenarios/scenario-spec.js";

/** Options of the full benchmark (and of the soak), from the command line. */
export interface BenchOptions {
  readonly scenarios: readonly ScenarioId[];
  /** Repetitions; tables show the median. */
  readonly repeat: number;
  /** Open-model rates, req/s. */
  readonly rates: readonly number[];
  /** A rate above this share of the scenario's capacity is skipped (it would measure only queueing). */
  readonly maxRateShare: number;
  readonly warmupS: number;
  /** Measured seconds of each latency run (c1 and each rate). */
  readonly durationS: number;
  readonly capacityWarmupS: number;
  readonly capacityDurationS: number;
  /** h2load settings (connections × streams); the best is kept. */
  readonly h2load: readonly { readonly connections: number; readonly streams: number }[];
  /** The Node-client check of gRPC statuses under load: requests in flight and seconds. */
  readonly verifyConcurrency: number;
  readonly verifyDurationS: number;
  readonly seed: number;
  readonly quietMaxBusyPct: number;
  readonly quietMaxWaitS: number;
  /** `MODELROUTER_EXECUTOR_WORKERS` for modelrouter (undefined: the service's default). */
  readonly executorWorkers?: number;
  readonly jsonPath: string;
  /** The Markdown report to update; undefined: do not write it. */
  readonly docsPath?: string;
  /** The SVG plot. */
  readonly svgPath: string;
  /** Soak mode: minutes of the soak (undefined: the normal benchmark). */
  readonly soakMinutes?: number;
  /** Soak mode: offered rate, req/s. */
  readonly soakRate: number;
  readonly verbose: boolean;
}

/** Help text of the benchmark command. */
export const BENCH_USAGE = `usage: node tools/bench/dist/main.js [options]
  --scenarios a,b,…       subset of ${SCENARIOS.map((s) => s.id).join(",")} (default: all)
  --repeat N              repetitions, interleaved; tables show medians (default 3)
  --rates R1,R2,…         open-model rates in req/s (default 200,1000,2000)
  --max-rate-share F      skip a rate above F × the scenario's capacity (default 0.9)
  --warmup S              warm-up seconds of each latency run (default 2)
  --duration S            measured seconds of each latency run (default 8)
  --capacity-duration S   measured seconds of each h2load run (default 4; 1 s warm-up)
  --h2load CxM,…          h2load settings, connections x streams (default 1x64,4x32)
  --verify-concurrency N  Node-client status check under load (default 64, 3 s)
  --seed N                seed of the load generators (default 1)
  --quiet-busy PCT        quiet machine: busy below PCT % of one core (default 40)
  --quiet-wait S          wait at most S seconds for a quiet machine (default 30)
  --executor-workers N    MODELROUTER_EXECUTOR_WORKERS (default: the service's own)
  --json FILE             machine-readable result (default tools/bench/results/bench.json)
  --docs FILE             Markdown report to update (default docs/benchmarks.md; "none" to skip)
  --svg FILE              latency plot (default docs/benchmarks-latency.svg)
  --soak MINUTES          soak mode instead: distributed topology at --soak-rate, RSS every 10 s
  --soak-rate R           soak offered rate, req/s (default 200)
  --verbose               show the load generator's progress lines`;

function list(raw: string | undefined): string[] {
  return raw === undefined ? [] : raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Parses the benchmark's command line against `repoRoot` (for default output paths); throws one `Error` that
 * lists every problem, followed by the usage.
 */
export function parseBenchOptions(args: readonly string[], repoRoot: string): BenchOptions {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      scenarios: { type: "string" },
      repeat: { type: "string" },
      rates: { type: "string" },
      "max-rate-share": { type: "string" },
      warmup: { type: "string" },
      duration: { type: "string" },
      "capacity-duration": { type: "string" },
      h2load: { type: "string" },
      "verify-concurrency": { type: "string" },
      seed: { type: "string" },
      "quiet-busy": { type: "string" },
      "quiet-wait": { type: "string" },
      "executor-workers": { type: "string" },
      json: { type: "string" },
      docs: { type: "string" },
      svg: { type: "string" },
      soak: { type: "string" },
      "soak-rate": { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help === true) throw new Error(BENCH_USAGE);
  const problems: string[] = [];
  const num = (name: string, raw: string | undefined, fallback: number, ok: (n: number) => boolean, rule: string): number =>
    numberOption(name, raw, fallback, ok, rule, problems);

  const scenarioNames = list(values.scenarios);
  const unknown = scenarioNames.filter((name) => !isScenarioId(name));
  if (unknown.length > 0) problems.push(`unknown scenario(s) ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.id).join(", ")}`);
  const scenarios = scenarioNames.length === 0 ? SCENARIOS.map((s) => s.id) : SCENARIOS.map((s) => s.id).filter((id) => scenarioNames.includes(id));

  const rates = list(values.rates ?? "200,1000,2000").map((r) => num("rates", r, 0, positive, "positive numbers"));
  const h2load = list(values.h2load ?? "1x64,4x32").map((setting) => {
    const match = /^(\d+)x(\d+)$/.exec(setting);
    if (match === null || Number(match[1]) < 1 || Number(match[2]) < 1) {
      problems.push(`--h2load settings must look like 1x64 (connections x streams), got "${setting}"`);
      return { connections: 1, streams: 1 };
    }
    return { connections: Number(match[1]), streams: Number(match[2]) };
  });
  const workers = values["executor-workers"];
  const soak = values.soak;
  const docs = values.docs ?? `${repoRoot}docs/benchmarks.md`;
  const options: BenchOptions = {
    scenarios,
    repeat: num("repeat", values.repeat, 3, positiveInt, "a positive integer"),
    rates,
    maxRateShare: num("max-rate-share", values["max-rate-share"], 0.9, (n) => n > 0 && n <= 1, "in (0, 1]"),
    warmupS: num("warmup", values.warmup, 2, (n) => n >= 0, "≥ 0"),
    durationS: num("duration", values.duration, 8, positive, "positive"),
    capacityWarmupS: 1,
    capacityDurationS: num("capacity-duration", values["capacity-duration"], 4, positive, "positive"),
    h2load,
    verifyConcurrency: num("verify-concurrency", values["verify-concurrency"], 64, positiveInt, "a positive integer"),
    verifyDurationS: 3,
    seed: num("seed", values.seed, 1, Number.isInteger, "an integer"),
    quietMaxBusyPct: num("quiet-busy", values["quiet-busy"], 40, positive, "positive"),
    quietMaxWaitS: num("quiet-wait", values["quiet-wait"], 30, (n) => n >= 0, "≥ 0"),
    ...(workers === undefined ? {} : { executorWorkers: num("executor-workers", workers, 1, positiveInt, "a positive integer") }),
    jsonPath: values.json ?? `${repoRoot}tools/bench/results/bench.json`,
    ...(docs === "none" ? {} : { docsPath: docs }),
    svgPath: values.svg ?? `${repoRoot}docs/benchmarks-latency.svg`,
    ...(soak === undefined ? {} : { soakMinutes: num("soak", soak, 1, positive, "a positive number of minutes") }),
    soakRate: num("soak-rate", values["soak-rate"], 200, positive, "positive"),
    verbose: values.verbose ?? false,
  };
  if (problems.length > 0) throw new Error(`${problems.join("\n")}\n\n${BENCH_USAGE}`);
  return options;
}
