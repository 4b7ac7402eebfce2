import { parseArgs } from "node:util";
import { numberOption, positiveInt } from "../number-option.js";

/** One executor configuration the batching benchmark measures. */
export interface BatchSetting {
  /** `MODELROUTER_EXECUTOR_MAX_BATCH_SIZE`: 1 is batching off. */
  readonly maxBatchSize: number;
  /** `MODELROUTER_EXECUTOR_MAX_BATCH_DELAY` in milliseconds. */
  readonly maxBatchDelayMs: number;
}

/** Options of the batching benchmark, from its command line. */
export interface BatchingOptions {
  readonly settings: readonly BatchSetting[];
  /** Repetitions, settings interleaved; tables show medians. */
  readonly repeat: number;
  /** Requests in flight of the closed-loop run (throughput at saturation). */
  readonly concurrency: number;
  /** Open-model rates, req/s (latency at a fixed offered load). */
  readonly rates: readonly number[];
  readonly warmupS: number;
  readonly durationS: number;
  /** Before each run, wait at most `quietMaxWaitS` for the machine to be below `quietMaxBusyPct` % of one core busy. */
  readonly quietMaxBusyPct: number;
  readonly quietMaxWaitS: number;
  /** `MODELROUTER_EXECUTOR_WORKERS` of every executor (undefined: one per CPU). */
  readonly workers?: number;
  readonly jsonPath: string;
  /** The Markdown report to update; undefined: do not write it. */
  readonly docsPath?: string;
}

/** Help text of the batching benchmark. */
export const BATCHING_USAGE = `usage: node tools/bench/dist/batching/main.js [options]
  --settings S1,S2,…   executor settings, SIZExDELAY_MS or 1 for off (default 1,4x1,8x2,16x2,32x4)
  --repeat N           repetitions, settings interleaved; tables show medians (default 3)
  --concurrency N      requests in flight of the closed-loop run (default 32)
  --rates R1,R2,…      open-model rates in req/s (default 300,1000)
  --warmup S           warm-up seconds of each run (default 2)
  --duration S         measured seconds of each run (default 8)
  --quiet-busy PCT     quiet machine: busy below PCT % of one core (default 40)
  --quiet-wait S       wait at most S seconds for a quiet machine before each run (default 10)
  --workers N          worker threads of each executor (default: one per CPU)
  --json FILE          machine-readable result (default tools/bench/results/batching.json)
  --docs FILE          Markdown report to update (default docs/benchmarks.md; "none" to skip)`;

/** Parses `SIZExDELAY` (or `1`, batching off) into a setting; undefined when malformed. */
export function parseSetting(text: string): BatchSetting | undefined {
  if (text === "1" || text === "off") return { maxBatchSize: 1, maxBatchDelayMs: 0 };
  const match = /^(\d+)x(\d+(?:\.\d+)?)$/.exec(text);
  if (match === null) return undefined;
  const size = Number(match[1]);
  const delay = Number(match[2]);
  return size >= 2 && size <= 1024 && delay <= 1000 ? { maxBatchSize: size, maxBatchDelayMs: delay } : undefined;
}

/** A setting's name in tables: "off" or "8 × 2 ms". */
export function settingLabel(setting: BatchSetting): string {
  return setting.maxBatchSize === 1 ? "off" : `max ${setting.maxBatchSize}, ${setting.maxBatchDelayMs} ms`;
}

/** Parses the command line; throws one `Error` listing every problem, followed by the usage. */
export function parseBatchingOptions(args: readonly string[], repoRoot: string): BatchingOptions {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      settings: { type: "string" },
      repeat: { type: "string" },
      concurrency: { type: "string" },
      rates: { type: "string" },
      warmup: { type: "string" },
      duration: { type: "string" },
      workers: { type: "string" },
      "quiet-busy": { type: "string" },
      "quiet-wait": { type: "string" },
      json: { type: "string" },
      docs: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help === true) throw new Error(BATCHING_USAGE);
  const problems: string[] = [];
  const num = (name: string, raw: string | undefined, fallback: number, ok: (n: number) => boolean, rule: string): number =>
    numberOption(name, raw, fallback, ok, rule, problems);
  const list = (raw: string): string[] => raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const settings = list(values.settings ?? "1,4x1,8x2,16x2,32x4").flatMap((text) => {
    const setting = parseSetting(text);
    if (setting === undefined) problems.push(`--settings items must be 1 (off) or SIZExDELAY_MS with SIZE 2–1024 and DELAY ≤ 1000, got "${text}"`);
    return setting === undefined ? [] : [setting];
  });
  const docs = values.docs ?? `${repoRoot}docs/benchmarks.md`;
  const options: BatchingOptions = {
    settings,
    repeat: num("repeat", values.repeat, 3, positiveInt, "a positive integer"),
    concurrency: num("concurrency", values.concurrency, 32, positiveInt, "a positive integer"),
    rates: list(values.rates ?? "300,1000").map((r) => num("rates", r, 1, (n) => n > 0, "positive numbers")),
    warmupS: num("warmup", values.warmup, 2, (n) => n >= 0, "≥ 0"),
    durationS: num("duration", values.duration, 8, (n) => n > 0, "positive"),
    quietMaxBusyPct: num("quiet-busy", values["quiet-busy"], 40, (n) => n > 0, "positive"),
    quietMaxWaitS: num("quiet-wait", values["quiet-wait"], 10, (n) => n >= 0, "≥ 0"),
    ...(values.workers === undefined ? {} : { workers: num("workers", values.workers, 1, positiveInt, "a positive integer") }),
    jsonPath: values.json ?? `${repoRoot}tools/bench/results/batching.json`,
    ...(docs === "none" ? {} : { docsPath: docs }),
  };
  if (settings.length === 0 && problems.length === 0) problems.push("--settings must name at least one setting");
  if (problems.length > 0) throw new Error(`${problems.join("\n")}\n\n${BATCHING_USAGE}`);
  return options;
}
