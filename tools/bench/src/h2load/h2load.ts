import { execFile, execFileSync } from "node:child_process";

/** How to install h2load when it is missing. */
export const H2LOAD_INSTALL_HINT = "h2load not found: install it with `apt-get install -y nghttp2-client` (Debian/Ubuntu) to get the capacity runs";

/** One h2load run's figures, parsed from its report. */
export interface H2loadReport {
  /** Measured duration, seconds (the main duration with -D). */
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly errored: number;
  readonly timeout: number;
  /** HTTP 2xx answers. h2load does not read gRPC statuses: a gRPC error is a 200 with a trailer. */
  readonly status2xx: number;
  /** Response body bytes (DATA frames). An answer without a body (trailers-only, i.e. a gRPC error) adds 0. */
  readonly dataBytes: number;
  /** Mean time per request, µs. */
  readonly meanRequestUs: number;
}

const UNITS_US: Readonly<Record<string, number>> = { us: 1, ms: 1000, s: 1_000_000 };

function duration(text: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (match === null) return Number.NaN;
  return Number(match[1]) * (UNITS_US[match[2]!] ?? Number.NaN);
}

/** Parses h2load's text report; throws if the summary lines are missing (e.g. it could not connect). */
export function parseH2loadReport(output: string): H2loadReport {
  const finished = /finished in ([\d.]+)s, ([\d.]+) req\/s/.exec(output);
  const requests = /requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(output);
  const status = /status codes: (\d+) 2xx/.exec(output);
  const traffic = /traffic: .*?, ([\d.]+\w*) \((\d+)\) data/.exec(output);
  const request = /time for request:\s+(\S+)\s+(\S+)\s+(\S+)/.exec(output);
  if (finished === null || requests === null || status === null || traffic === null) {
    throw new Error(`cannot parse h2load output:\n${output.slice(-2000)}`);
  }
  return {
    seconds: Number(finished[1]),
    requestsPerSecond: Number(finished[2]),
    total: Number(requests[1]),
    succeeded: Number(requests[2]),
    failed: Number(requests[3]),
    errored: Number(requests[4]),
    timeout: Number(requests[5]),
    status2xx: Number(status[1]),
    dataBytes: Number(traffic[2]),
    meanRequestUs: request === null ? Number.NaN : duration(request[3]!),
  };
}

/**
 * The share of h2load's answers that carried a body of the expected gRPC frame size: ≈ 1 when every answer was
 * a real response, lower when some were trailers-only gRPC errors (which h2load counts as succeeded).
 */
export function answeredShare(report: H2loadReport, expectedFrameBytes: number): number {
  if (report.succeeded === 0 || expectedFrameBytes <= 0) return 0;
  return report.dataBytes / (report.succeeded * expectedFrameBytes);
}

/** Options of one capacity run. */
export interface H2loadRun {
  /** `http://host:port/path`. */
  readonly url: string;
  /** A file holding the gRPC-framed request body. */
  readonly bodyFile: string;
  readonly connections: number;
  readonly streams: number;
  readonly durationS: number;
}

/** h2load's arguments for a timed gRPC run: POST of the framed body, HTTP/2 cleartext, one thread. */
export function h2loadArgs(run: H2loadRun): string[] {
  return [
    "-D", String(run.durationS),
    "-c", String(run.connections),
    "-m", String(run.streams),
    "-t", "1",
    "-d", run.bodyFile,
    "-H", "content-type: application/grpc",
    "-H", "te: trailers",
    run.url,
  ];
}

/** The path of h2load and its version line, or undefined when it is not installed. */
export function findH2load(): { readonly path: string; readonly version: string } | undefined {
  try {
    const version = execFileSync("h2load", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const path = execFileSync("sh", ["-c", "command -v h2load"], { encoding: "utf8" }).trim();
    return { path, version };
  } catch {
    return undefined;
  }
}

/** A started h2load process. */
export interface RunningH2load {
  readonly pid: number;
  readonly done: Promise<H2loadReport>;
}

/** Starts h2load; `done` resolves with its parsed report (rejects if it fails or prints no report). */
export function startH2load(run: H2loadRun): RunningH2load {
  let resolveDone: (report: H2loadReport) => void = () => undefined;
  let rejectDone: (error: Error) => void = () => undefined;
  const done = new Promise<H2loadReport>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const child = execFile(
    "h2load",
    h2loadArgs(run),
    { encoding: "utf8", timeout: (run.durationS + 30) * 1000, maxBuffer: 16 * 1024 * 1024 },
    (error, stdout, stderr) => {
      try {
        resolveDone(parseH2loadReport(stdout));
      } catch (parseError) {
        rejectDone(new Error(`h2load failed${error === null ? "" : ` (${error.message})`}: ${stderr}\n${(parseError as Error).message}`));
      }
    },
  );
  if (child.pid === undefined) throw new Error("h2load could not be started");
  return { pid: child.pid, done };
}
