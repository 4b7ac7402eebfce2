import { codeName, isRpcError } from "@modelrouter/rpc-kit";
import { digitPayload, digitsPolicy, startChaosSystem } from "../chaos-system.js";
import { inferCall, sleep } from "../infer-call.js";
import { startLoad } from "../load-driver.js";
import { failureMessages, formatStatuses, summarize } from "../load-summary.js";
import { invariant, ms, type ScenarioResult } from "../scenario-result.js";

/** How the registry goes away: stopped (SIGSTOP: a partition, connections open and silent) or killed (kill -9, started again). */
export type RegistryOutage = "stopped" | "killed";

/** Size of a registry-outage run. */
export interface RegistryOutageSize {
  readonly ratePerSecond: number;
  readonly outageMs: number;
  /** How long the load goes on after the policy change has reached routing. */
  readonly afterMs: number;
  readonly deadlineMs: number;
}

const WARM_MS = 2_000;

/**
 * FLT-7: the registry goes away for `outageMs` under an open-model load. The inference path must not notice
 * (0 failures: the decision engine and executors keep their snapshots, the router's decision-log writes fail
 * off the request's path), a write during the outage must fail within its deadline, and once the registry is back a policy
 * change (digits-general → digits-lite) must reach routing: N = from the change's acknowledgement to the end
 * of the first request served by the new target.
 */
export async function registryOutage(how: RegistryOutage, size: RegistryOutageSize): Promise<ScenarioResult> {
  const system = await startChaosSystem({ executors: 1 });
  try {
    // The load runs until the policy change has been seen for `afterMs` (or a minute after the registry is back).
    const load = startLoad({ ratePerSecond: size.ratePerSecond, durationMs: 3_600_000, maxInFlight: 200, call: inferCall(system.routers[0]!, size.deadlineMs) });
    await sleep(WARM_MS - load.elapsedMs());
    const downAtMs = load.elapsedMs();
    if (how === "stopped") system.signal("registry", "SIGSTOP");
    else await system.process("registry").kill();
    const writeStart = load.elapsedMs();
    const write = await system.registry.applyPolicy({ policy: digitsPolicy("digits-general") }, { timeoutMs: 1_000 }).then(
      () => "OK",
      (error: unknown) => (isRpcError(error) ? codeName(error.code) : String(error)),
    );
    const writeMs = load.elapsedMs() - writeStart;
    await sleep(downAtMs + size.outageMs - load.elapsedMs());
    const backAtMs = load.elapsedMs();
    if (how === "stopped") system.signal("registry", "SIGCONT");
    else await system.start("registry");
    const readyAtMs = load.elapsedMs();
    // The change, retried until the registry takes it.
    let appliedAtMs: number | undefined;
    while (appliedAtMs === undefined && load.elapsedMs() < backAtMs + 60_000) {
      const applied = await system.registry.applyPolicy({ policy: digitsPolicy("digits-lite") }, { timeoutMs: 1_000 }).then(() => true, () => false);
      if (applied) appliedAtMs = load.elapsedMs();
      else await sleep(100);
    }
    let seenAtMs: number | undefined;
    while (appliedAtMs !== undefined && seenAtMs === undefined && load.elapsedMs() < appliedAtMs + 60_000) {
      const answer = await system.routers[0]!.infer({ payload: digitPayload }, { timeoutMs: size.deadlineMs }).catch(() => undefined);
      if (answer?.model?.name === "digits-lite") seenAtMs = load.elapsedMs();
      else await sleep(50);
    }
    await sleep(size.afterMs);
    load.stop();
    const records = await load.done;
    const summary = summarize(records);
    const firstNew = appliedAtMs === undefined ? undefined : records.find((r) => r.sentAtMs >= appliedAtMs! && r.detail === "digits-lite");
    const catchUpMs = firstNew === undefined || appliedAtMs === undefined ? undefined : firstNew.endedAtMs - appliedAtMs;
    const staleAfter = firstNew === undefined ? 0 : records.filter((r) => r.sentAtMs > firstNew.endedAtMs && r.status === "OK" && r.detail !== "digits-lite").length;
    const outage = records.filter((r) => r.sentAtMs >= downAtMs && r.sentAtMs < backAtMs);
    return {
      id: "FLT-7",
      title: `registry ${how === "stopped" ? "stopped (SIGSTOP)" : "killed (kill -9) and started again"} under load`,
      setup: `${size.ratePerSecond} req/s, deadline ${size.deadlineMs} ms; registry ${how} at ${WARM_MS / 1000} s for ${size.outageMs / 1000} s; then digits → digits-lite applied`,
      figures: [
        ["requests (during the outage)", `${summary.requests.toLocaleString("en-US")} (${outage.length.toLocaleString("en-US")})`],
        ["statuses", formatStatuses(summary.byStatus)],
        ["OK latency p50 / p99", `${ms(summary.p50Ms)} / ${ms(summary.p99Ms)}`],
        ["a write during the outage (1 s deadline)", `${write} after ${ms(writeMs)}`],
        ["registry back / ready at", `${ms(backAtMs)} / ${ms(readyAtMs)}`],
        ["policy change acknowledged at", ms(appliedAtMs)],
        ["N: change acknowledged → first request served by the new target", ms(catchUpMs)],
        ["requests served by the old target after that", String(staleAfter)],
        ["failures", failureMessages(records).join("; ") || "none"],
      ],
      invariants: [
        invariant("0 inference failures", summary.ok === summary.requests, formatStatuses(summary.byStatus)),
        invariant("a write during the outage fails within its deadline", write !== "OK" && writeMs <= 1_500, `${write} after ${ms(writeMs)}`),
        invariant("the change made after it is back reaches routing", catchUpMs !== undefined && staleAfter === 0, `${ms(catchUpMs)}, ${staleAfter} stale after`),
      ],
      criteria: [invariant("the change reaches routing ≤ 5 s after it is acknowledged", catchUpMs !== undefined && catchUpMs <= 5_000, ms(catchUpMs))],
    };
  } finally {
    await system.stop();
  }
}
