import { startOtlpReceiver, type ReceivedSpan } from "@modelrouter/testing";
import { startChaosSystem } from "../chaos-system.js";
import { inferCall, sleep } from "../infer-call.js";
import { startLoad } from "../load-driver.js";
import { formatStatuses, quantile, summarize } from "../load-summary.js";
import { invariant, ms, type ScenarioResult } from "../scenario-result.js";

/** Size of a hung-executor run. */
export interface HungExecutorSize {
  readonly ratePerSecond: number;
  /** How long the executor stays stopped (SIGSTOP … SIGCONT); the load runs throughout. */
  readonly holdMs: number;
  readonly deadlineMs: number;
}

const EXECUTE = "ExecutorService/Execute";
/** How far from the deadline a DEADLINE_EXCEEDED may arrive. */
const TOLERANCE_MS = 50;

const isExecute = (span: ReceivedSpan, service: string, kind: ReceivedSpan["kind"]) => span.serviceName === service && span.kind === kind && span.name.endsWith(EXECUTE);
const wallMs = (nanos: bigint) => Number(nanos / 1_000_000n);

/**
 * FLT-3: the only executor is stopped (SIGSTOP: alive, holding its connections, answering nothing) while an
 * open-model load with a short client deadline runs, then resumed (SIGCONT) with no request in flight. Every
 * request sent while it is stopped must end DEADLINE_EXCEEDED at its deadline (± 50 ms); the router's call to
 * the executor must end with it (its span), and the executor, reading those calls late, must answer none of
 * them OK (its spans after SIGCONT): the work is cancelled downstream, not done for nobody.
 */
export async function hungExecutor(size: HungExecutorSize): Promise<ScenarioResult> {
  const receiver = await startOtlpReceiver();
  const system = await startChaosSystem({ executors: 1, env: { OTEL_SDK_DISABLED: "false", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "200" } });
  try {
    const router = system.routers[0]!;
    const stoppedAtWall = Date.now();
    system.signal("executor-1", "SIGSTOP");
    const records = await startLoad({ ratePerSecond: size.ratePerSecond, durationMs: size.holdMs - size.deadlineMs - 200, maxInFlight: 200, call: inferCall(router, size.deadlineMs) }).done;
    await sleep(size.holdMs - (Date.now() - stoppedAtWall));
    const resumedAtWall = Date.now();
    system.signal("executor-1", "SIGCONT");
    // Quiet, so that every Execute the executor handles now is one held while it was stopped.
    await sleep(2_000);
    const afterAtWall = Date.now();
    const after = await startLoad({ ratePerSecond: size.ratePerSecond, durationMs: 1_000, maxInFlight: 200, call: inferCall(router, 2_000) }).done;
    await sleep(1_500);

    const summary = summarize(records);
    const latencies = records.filter((r) => r.status === "DEADLINE_EXCEEDED").map((r) => r.callMs);
    const early = Math.min(...latencies) - size.deadlineMs;
    const late = Math.max(...latencies) - size.deadlineMs;
    const spans = receiver.spans;
    const routerCalls = spans.filter((s) => isExecute(s, "router", "CLIENT") && wallMs(s.startTimeUnixNano) >= stoppedAtWall && wallMs(s.startTimeUnixNano) < resumedAtWall);
    const routerCallMs = routerCalls.map((s) => wallMs(s.endTimeUnixNano - s.startTimeUnixNano));
    const routerOpenPastDeadline = Math.max(0, ...routerCallMs.map((d) => d - size.deadlineMs));
    const lateWork = spans.filter((s) => isExecute(s, "executor", "SERVER") && wallMs(s.startTimeUnixNano) >= resumedAtWall - 5 && wallMs(s.startTimeUnixNano) < afterAtWall);
    const lateOk = lateWork.filter((s) => s.status.code === "OK" && (s.attributes["rpc.grpc.status_code"] ?? 0) === 0);
    const lateStatuses: Record<string, number> = {};
    for (const s of lateWork) {
      const key = `${s.status.code} ${String(s.attributes["rpc.grpc.status_code"] ?? "")}`.trim();
      lateStatuses[key] = (lateStatuses[key] ?? 0) + 1;
    }
    const afterOk = after.filter((r) => r.status === "OK").length;
    return {
      id: "FLT-3",
      title: "hung executor (SIGSTOP), short client deadline",
      setup: `one executor stopped for ${size.holdMs / 1000} s; ${size.ratePerSecond} req/s with a ${size.deadlineMs} ms deadline while it is stopped; SIGCONT with nothing in flight, then 1 s of load`,
      figures: [
        ["requests while stopped", formatStatuses(summary.byStatus)],
        ["DEADLINE_EXCEEDED after (from the call; p50 / p99 / min / max)", `${ms(quantile(latencies, 0.5))} / ${ms(quantile(latencies, 0.99))} / ${ms(Math.min(...latencies))} / ${ms(Math.max(...latencies))}`],
        ["router→executor calls while stopped: spans / longest / status", `${routerCalls.length} / ${ms(Math.max(0, ...routerCallMs))} / ${formatStatuses(countBy(routerCalls.map((s) => s.status.code)))}`],
        ["held calls the executor handled after SIGCONT (spans by status)", lateWork.length === 0 ? "0 (none reached a handler)" : formatStatuses(lateStatuses)],
        ["requests after SIGCONT answered OK", `${afterOk} of ${after.length}`],
      ],
      invariants: [
        invariant("every request sent while stopped ends DEADLINE_EXCEEDED", summary.byStatus["DEADLINE_EXCEEDED"] === summary.requests && summary.requests > 0, formatStatuses(summary.byStatus)),
        invariant(
          "every router→executor call made while stopped ended without an answer",
          routerCalls.length > 0 && routerCalls.length <= summary.requests && routerCalls.every((s) => s.status.code === "ERROR"),
          `${routerCalls.length} calls (of ${summary.requests} requests; the others ran out of time before it), ${formatStatuses(countBy(routerCalls.map((s) => s.status.code)))}`,
        ),
        invariant("no held call answered OK by the executor after SIGCONT (no late answer)", lateOk.length === 0, `${lateOk.length} of ${lateWork.length}`),
        invariant("served again after SIGCONT", afterOk === after.length, `${afterOk} of ${after.length}`),
      ],
      criteria: [
        invariant(`DEADLINE_EXCEEDED at the deadline ± ${TOLERANCE_MS} ms`, early >= -TOLERANCE_MS && late <= TOLERANCE_MS, `${ms(early)} … +${ms(late)}`),
        invariant(`the router's call to the executor ends ≤ ${TOLERANCE_MS} ms after the deadline`, routerOpenPastDeadline <= TOLERANCE_MS, `${ms(routerOpenPastDeadline)} past`),
      ],
    };
  } finally {
    await system.stop();
    await receiver.close();
  }
}

function countBy(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}
