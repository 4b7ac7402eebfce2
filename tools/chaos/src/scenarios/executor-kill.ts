import { startChaosSystem } from "../chaos-system.js";
import { inferCall, sleep } from "../infer-call.js";
import { startLoad } from "../load-driver.js";
import { failureMessages, firstOkEndedAfter, formatStatuses, summarize, unexpectedStatuses } from "../load-summary.js";
import { invariant, ms, type ScenarioResult } from "../scenario-result.js";

/** Size of an executor-kill run. */
export interface ExecutorKillSize {
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /** When the executor is killed (`kill -9`), from the load's start. */
  readonly killAtMs: number;
  /** How long it stays dead before it is started again. */
  readonly downMs: number;
  /** How long the load goes on once the executor is ready again (at least; the load lasts `durationMs` in all). */
  readonly afterMs: number;
  readonly deadlineMs: number;
}

/**
 * FLT-1 (two executors) and FLT-2 (one): `kill -9` of an executor under an open-model load, started again
 * `downMs` later on the same port. With two, every request must be answered (the router retries the other
 * instance); with one, the failures must be UNAVAILABLE or DEADLINE_EXCEEDED only, and the first OK must come
 * within 1 s of the executor being ready again.
 */
export async function executorKill(replicas: 1 | 2, size: ExecutorKillSize): Promise<ScenarioResult> {
  const system = await startChaosSystem({ executors: replicas });
  try {
    const victim = `executor-${replicas}`;
    // The load runs for `durationMs`, and at least `afterMs` past the executor being ready again.
    const load = startLoad({ ratePerSecond: size.ratePerSecond, durationMs: 3_600_000, maxInFlight: 200, call: inferCall(system.routers[0]!, size.deadlineMs) });
    await sleep(size.killAtMs - load.elapsedMs());
    const killedAtMs = load.elapsedMs();
    await system.process(victim).kill();
    await sleep(size.downMs);
    const restartedAtMs = load.elapsedMs();
    await system.start(victim);
    const readyAtMs = load.elapsedMs();
    await sleep(Math.max(size.afterMs, size.durationMs - load.elapsedMs()));
    load.stop();
    const records = await load.done;
    const summary = summarize(records);
    const failures = summary.requests - summary.ok;
    const firstOk = firstOkEndedAfter(
      records.filter((r) => r.sentAtMs > killedAtMs),
      0,
    );
    const outageFailures = records.filter((r) => r.status !== "OK");
    const lastFailureMs = outageFailures.length === 0 ? undefined : Math.max(...outageFailures.map((r) => r.endedAtMs));
    const recoveryMs = replicas === 1 && firstOk !== undefined ? Math.max(0, firstOk.endedAtMs - readyAtMs) : undefined;
    const figures: [string, string][] = [
      ["requests", summary.requests.toLocaleString("en-US")],
      ["statuses", formatStatuses(summary.byStatus)],
      ["OK latency p50 / p99 / max", `${ms(summary.p50Ms)} / ${ms(summary.p99Ms)} / ${ms(summary.maxMs)}`],
      ["killed at / started again at / ready at", `${ms(killedAtMs)} / ${ms(restartedAtMs)} / ${ms(readyAtMs)}`],
      ["failures", failureMessages(records).join("; ") || "none"],
    ];
    if (replicas === 1) {
      figures.push(["first OK after the kill, from ready", recoveryMs === undefined ? "none" : ms(recoveryMs)]);
      figures.push(["first OK after the kill, from the restart's spawn", firstOk === undefined ? "none" : ms(firstOk.endedAtMs - restartedAtMs)]);
      figures.push(["last failure ended at", ms(lastFailureMs)]);
      figures.push(["failures ≤ (outage + 1 s) × rate", `${failures} ≤ ${Math.ceil(((readyAtMs - killedAtMs + 1000) / 1000) * size.ratePerSecond)}`]);
    }
    const invariants =
      replicas === 2
        ? [invariant("every request answered OK (0 lost)", failures === 0, formatStatuses(summary.byStatus))]
        : [
            invariant("failures only UNAVAILABLE or DEADLINE_EXCEEDED", Object.keys(unexpectedStatuses(summary, ["OK", "UNAVAILABLE", "DEADLINE_EXCEEDED"])).length === 0, formatStatuses(summary.byStatus)),
            invariant("served again after the restart", firstOk !== undefined, firstOk === undefined ? "no OK after the kill" : ms(firstOk.endedAtMs)),
            invariant("no failure after the restart's first OK", firstOk === undefined || outageFailures.every((r) => r.sentAtMs <= firstOk.endedAtMs), ms(lastFailureMs)),
          ];
    const criteria =
      replicas === 2
        ? [invariant("p99 of OK requests ≤ deadline / 2", summary.p99Ms <= size.deadlineMs / 2, ms(summary.p99Ms))]
        : [invariant("first OK ≤ 1 s after the executor is ready again", recoveryMs !== undefined && recoveryMs <= 1_000, ms(recoveryMs))];
    return {
      id: replicas === 2 ? "FLT-1" : "FLT-2",
      title: replicas === 2 ? "executor kill -9, two replicas" : "executor kill -9, one executor",
      setup: `${size.ratePerSecond} req/s for ${size.durationMs / 1000} s (or until ${size.afterMs / 1000} s after the restart), deadline ${size.deadlineMs} ms; ${victim} killed at ${size.killAtMs / 1000} s, started again ${size.downMs / 1000} s later`,
      figures,
      invariants,
      criteria,
    };
  } finally {
    await system.stop();
  }
}
