import { parseArgs } from "node:util";
import type { Arrival } from "./open-loop-scheduler.js";
import { nonNegative, numberOption, positive, positiveInt } from "../number-option.js";

/** How the load generator drives load. */
export type LoadgenMode =
  | { readonly kind: "open"; readonly ratePerSecond: number; readonly arrival: Arrival; readonly maxInFlight: number }
  | { readonly kind: "closed"; readonly concurrency: number };

/** Everything a load generator run needs, parsed from its command line. */
export interface LoadgenOptions {
  /** `host:port` of the server. */
  readonly target: string;
  /** The gRPC method path. */
  readonly path: string;
  /** A file holding the pre-encoded request message (protobuf bytes, no gRPC framing). */
  readonly requestFile: string;
  readonly mode: LoadgenMode;
  readonly warmupS: number;
  readonly durationS: number;
  readonly connections: number;
  /** Per-call deadline, milliseconds. */
  readonly deadlineMs: number;
  readonly seed: number;
  /** Seconds between progress lines on stderr; 0 for none. */
  readonly progressS: number;
  /** Exit when standard input closes (set by the orchestrator, so that a generator never outlives it). */
  readonly exitWithStdin: boolean;
}

/** The command-line help of the load generator. */
export const LOADGEN_USAGE = `usage: node dist/loadgen/main.js --target HOST:PORT --request-file FILE [options]
  --path PATH            gRPC method path (default /modelrouter.router.v1.RouterService/Infer)
  --rate R               open model: R requests/s, latency from the intended send time
  --concurrency N        closed loop: N requests in flight (default 1 when --rate is absent)
  --arrival uniform|poisson   open-model spacing (default uniform; poisson uses --seed)
  --max-in-flight N      open model: cap on requests in flight (default 512)
  --warmup S             seconds of warm-up, not counted (default 2)
  --duration S           seconds measured (default 10)
  --connections N        HTTP/2 connections (default 1)
  --deadline-ms MS       per-call deadline (default 10000)
  --seed N               seed of any randomness (default 1)
  --progress S           seconds between progress lines on stderr, 0 for none (default 1)
Prints one JSON result on stdout; exit code 0 even when calls failed (the result says so), 2 on bad usage.`;


/**
 * Parses and validates the load generator's arguments; throws one `Error` listing every problem (and the
 * usage) so that a bad command line fails before any load is sent.
 */
export function parseLoadgenOptions(args: readonly string[]): LoadgenOptions {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      target: { type: "string" },
      path: { type: "string" },
      "request-file": { type: "string" },
      rate: { type: "string" },
      concurrency: { type: "string" },
      arrival: { type: "string" },
      "max-in-flight": { type: "string" },
      warmup: { type: "string" },
      duration: { type: "string" },
      connections: { type: "string" },
      "deadline-ms": { type: "string" },
      seed: { type: "string" },
      progress: { type: "string" },
      "exit-with-stdin": { type: "boolean" },
    },
  });
  const problems: string[] = [];
  if (values.target === undefined || !/^.+:\d+$/.test(values.target)) problems.push(`--target must be HOST:PORT, got "${values.target ?? ""}"`);
  if (values["request-file"] === undefined) problems.push("--request-file is required");
  if (values.rate !== undefined && values.concurrency !== undefined) problems.push("give --rate (open model) or --concurrency (closed loop), not both");
  const arrival = values.arrival ?? "uniform";
  if (arrival !== "uniform" && arrival !== "poisson") problems.push(`--arrival must be uniform or poisson, got "${arrival}"`);
  const ratePerSecond = numberOption("rate", values.rate, 0, positive, "a positive number", problems);
  const mode: LoadgenMode =
    values.rate !== undefined
      ? {
          kind: "open",
          ratePerSecond,
          arrival: arrival === "poisson" ? "poisson" : "uniform",
          maxInFlight: numberOption("max-in-flight", values["max-in-flight"], 512, positiveInt, "a positive integer", problems),
        }
      : { kind: "closed", concurrency: numberOption("concurrency", values.concurrency, 1, positiveInt, "a positive integer", problems) };
  const options: LoadgenOptions = {
    target: values.target ?? "",
    path: values.path ?? "/modelrouter.router.v1.RouterService/Infer",
    requestFile: values["request-file"] ?? "",
    mode,
    warmupS: numberOption("warmup", values.warmup, 2, nonNegative, "a number ≥ 0", problems),
    durationS: numberOption("duration", values.duration, 10, positive, "a positive number", problems),
    connections: numberOption("connections", values.connections, 1, positiveInt, "a positive integer", problems),
    deadlineMs: numberOption("deadline-ms", values["deadline-ms"], 10_000, positive, "a positive number", problems),
    seed: numberOption("seed", values.seed, 1, Number.isInteger, "an integer", problems),
    progressS: numberOption("progress", values.progress, 1, nonNegative, "a number ≥ 0", problems),
    exitWithStdin: values["exit-with-stdin"] ?? false,
  };
  if (problems.length > 0) throw new Error(`${problems.join("\n")}\n\n${LOADGEN_USAGE}`);
  return options;
}

/** The command-line arguments that {@link parseLoadgenOptions} turns back into `options`. */
export function loadgenArgs(options: LoadgenOptions): string[] {
  const args = [
    "--target", options.target,
    "--path", options.path,
    "--request-file", options.requestFile,
    "--warmup", String(options.warmupS),
    "--duration", String(options.durationS),
    "--connections", String(options.connections),
    "--deadline-ms", String(options.deadlineMs),
    "--seed", String(options.seed),
    "--progress", String(options.progressS),
  ];
  if (options.mode.kind === "open") {
    args.push("--rate", String(options.mode.ratePerSecond), "--arrival", options.mode.arrival, "--max-in-flight", String(options.mode.maxInFlight));
  } else {
    args.push("--concurrency", String(options.mode.concurrency));
  }
  if (options.exitWithStdin) args.push("--exit-with-stdin");
  return args;
}
