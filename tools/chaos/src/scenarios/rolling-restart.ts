import { Code, isRpcError } from "@modelrouter/rpc-kit";
import { digitPayload, startChaosSystem } from "../chaos-system.js";
import { sleep } from "../infer-call.js";
import { startLoad, type RequestRecord } from "../load-driver.js";
import { failureMessages, formatStatuses, summarize } from "../load-summary.js";
import { invariant, ms, type Invariant, type ScenarioResult } from "../scenario-result.js";

/** The processes of the rolling restart's system: two of each service but the registry. */
export type RestartedService =
  | "executor-1"
  | "executor-2"
  | "analyzer-1"
  | "analyzer-2"
  | "decision-engine-1"
  | "decision-engine-2"
  | "registry"
  | "router-1"
  | "router-2";

/** Size of a rolling-restart run. */
export interface RollingRestartSize {
  readonly ratePerSecond: number;
  /** The pause between one service being ready again and the next one's SIGTERM. */
  readonly pauseMs: number;
  readonly deadlineMs: number;
  /** The processes restarted, in order. */
  readonly services: readonly RestartedService[];
}

/** Every process, one at a time: the executors, the analyzers, the decision engines, the registry, the routers. */
export const EVERY_SERVICE: readonly RestartedService[] = [
  "executor-1",
  "executor-2",
  "analyzer-1",
  "analyzer-2",
  "decision-engine-1",
  "decision-engine-2",
  "registry",
  "router-1",
  "router-2",
];

interface Window {
  readonly name: RestartedService;
  readonly fromMs: number;
  readonly readyAtMs: number;
  readonly exitCode: number | null;
  readonly drainMs: number;
  readonly startMs: number;
}

/**
 * FLT-5: a rolling restart — SIGTERM, wait for the exit, start again, wait until ready — of the processes of a
 * system with two of each service but the registry (every router lists both analyzers, both decision engines and
 * both executors), one after the other, under an open-model load. The client sends
 * each request to the routers in turn and, when a router refuses it with UNAVAILABLE (it is draining or down),
 * sends it once to the other router: what a client of two replicas does, and the only way a request can
 * survive its own router's restart.
 *
 * What must hold: no restart fails a request, and every process exits 0. A request is counted in the window of
 * the restart during which it was sent.
 */
export async function rollingRestart(size: RollingRestartSize): Promise<ScenarioResult> {
  const system = await startChaosSystem({ executors: 2, routers: 2, analyzers: 2, decisionEngines: 2 });
  try {
    let moved = 0;
    const call = async (index: number) => {
      const first = system.routers[index % 2]!;
      const other = system.routers[(index + 1) % 2]!;
      const deadline = Date.now() + size.deadlineMs;
      try {
        return (await first.infer({ payload: digitPayload }, { deadline })).model?.name;
      } catch (error) {
        if (!isRpcError(error) || error.code !== Code.UNAVAILABLE) throw error;
        moved += 1;
        return (await other.infer({ payload: digitPayload }, { deadline })).model?.name;
      }
    };
    const windows: Window[] = [];
    // Long enough for every restart; stopped once the last service is back.
    const load = startLoad({ ratePerSecond: size.ratePerSecond, durationMs: 3_600_000, maxInFlight: 200, call });
    await sleep(2_000);
    for (const name of size.services) {
      const fromMs = load.elapsedMs();
      const exitCode = await system.process(name).stop("SIGTERM", 30_000);
      const drainMs = load.elapsedMs() - fromMs;
      const startAt = load.elapsedMs();
      await system.start(name);
      const readyAtMs = load.elapsedMs();
      windows.push({ name, fromMs, readyAtMs, exitCode, drainMs, startMs: readyAtMs - startAt });
      await sleep(size.pauseMs);
    }
    load.stop();
    const records = await load.done;
    const summary = summarize(records);
    const sentIn = (w: Window, i: number) => {
      const until = windows[i + 1]?.fromMs ?? Number.POSITIVE_INFINITY;
      return records.filter((r) => r.sentAtMs >= w.fromMs && r.sentAtMs < until);
    };
    const failedIn = (w: Window, i: number) => sentIn(w, i).filter((r) => r.status !== "OK");
    const inFlightAtSigterm = (w: Window) => records.filter((r) => r.sentAtMs < w.fromMs && r.endedAtMs > w.fromMs);
    const exits = windows.filter((w) => w.exitCode !== 0);
    const invariants: Invariant[] = windows.map((w, i) => {
      const failed = failedIn(w, i);
      return invariant(`${w.name}: 0 failed requests`, failed.length === 0, statuses(failed));
    });
    invariants.push(invariant("every process exits 0 on SIGTERM", exits.length === 0, exits.map((w) => `${w.name}: ${w.exitCode}`).join(", ") || "all 0"));
    return {
      id: "FLT-5",
      title: "rolling restart (SIGTERM, start again) of every process",
      setup: `two of each service but the registry; ${size.ratePerSecond} req/s over the two routers (a request refused UNAVAILABLE moves once to the other), deadline ${size.deadlineMs} ms; ${size.services.join(", ")} restarted in turn, ${size.pauseMs / 1000} s apart`,
      figures: [
        ["requests", summary.requests.toLocaleString("en-US")],
        ["statuses", formatStatuses(summary.byStatus)],
        ["moved to the other router", String(moved)],
        ...windows.map((w, i): [string, string] => [
          w.name,
          `exit ${w.exitCode}, drained in ${ms(w.drainMs)} (${inFlightAtSigterm(w).length} in flight), ready ${ms(w.startMs)} after start; ${sentIn(w, i).length} requests, ${failedIn(w, i).length} failed`,
        ]),
        ["failures", failureMessages(records).join("; ") || "none"],
      ],
      invariants,
    };
  } finally {
    await system.stop();
  }
}

function statuses(records: readonly RequestRecord[]): string {
  return formatStatuses(summarize(records).byStatus) || "none";
}
