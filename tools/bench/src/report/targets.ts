import type { BenchResult } from "../run/bench-result.js";
import { scenarioSpec, type ScenarioId } from "../scenarios/scenario-spec.js";
import { bestModelServer, cellKey, type Aggregate } from "./aggregate.js";
import { routerCpu } from "./router-cpu.js";

/** One target of the performance issue, checked against a run. */
export interface TargetCheck {
  readonly name: string;
  /** The target as stated, e.g. "≥ 80 % of the best bare model server". */
  readonly target: string;
  /** What was measured, in words and numbers. */
  readonly measured: string;
  /** The measured figure in the target's unit (a ratio, µs, MiB …), NaN when not measured. */
  readonly value: number;
  /** PASS, MISS, or undefined when the run could not measure it. */
  readonly pass: boolean | undefined;
}

/** 150 MB (decimal megabytes, as the issue states it) in MiB: the idle RSS limit of each service. */
export const RSS_LIMIT_MIB = 150e6 / 2 ** 20;

/** 250 MB in MiB: the idle RSS limit of the co-located process, which hosts every service. */
export const COLOCATED_RSS_LIMIT_MIB = 250e6 / 2 ** 20;

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const pct = (ratio: number): string => `${fmt(ratio * 100)} %`;

/**
 * Checks issue 14's targets, each as a ratio or difference against the baselines of the same run (the best bare
 * model server is the variant with the higher median capacity):
 * co-located capacity ≥ 80 % of the best bare model server; the router's own CPU per request at capacity (co-located
 * CPU − the best bare model server's) ≤ 2× the echo's; co-located added p50 at c1 ≤ 150 µs over the best bare model
 * server's; distributed capacity ≥ 90 % of the bare front + 3 hops; tracing at 100 % costing ≤ 15 % of capacity
 * (each topology); idle RSS ≤ 150 MB per service (distributed) and ≤ 250 MB for the co-located process. The
 * 30-minute flatness target belongs to the soak.
 */
export function checkTargets(result: Pick<BenchResult, "scenarios">, cells: Aggregate): TargetCheck[] {
  const cap = (id: ScenarioId): number => cells.get(cellKey(id, "capacity"))?.throughput.median ?? Number.NaN;
  const c1p50 = (id: ScenarioId): number => cells.get(cellKey(id, "c1"))?.latencyUs?.p50 ?? Number.NaN;
  const verdict = (ok: boolean, value: number): boolean | undefined => (Number.isFinite(value) ? ok : undefined);
  const best = bestModelServer(cells);
  const bestName = best === undefined ? "no bare model server measured" : scenarioSpec(best).label;
  const checks: TargetCheck[] = [];

  const colocatedShare = best === undefined ? Number.NaN : cap("colocated") / cap(best);
  checks.push({
    name: "co-located capacity",
    target: "≥ 80 % of the best bare model server",
    measured: `${fmt(cap("colocated"))} vs ${best === undefined ? "n/a" : fmt(cap(best))} req/s (${bestName}) = ${pct(colocatedShare)}`,
    value: colocatedShare,
    pass: verdict(colocatedShare >= 0.8, colocatedShare),
  });
  const cpu = routerCpu(result, cells);
  const ownRatio = cpu.colocatedOwnUs / cpu.echoUs;
  checks.push({
    name: "the router's own CPU per request",
    target: "≤ 2× the echo's, at capacity",
    measured: `co-located ${fmt(cpu.colocatedUs)} − ${fmt(cpu.modelServerUs)} µs (${bestName}) = ${fmt(cpu.colocatedOwnUs)} µs vs the echo's ${fmt(cpu.echoUs)} µs = ${fmt(ownRatio, 2)}×`,
    value: ownRatio,
    pass: verdict(ownRatio <= 2, ownRatio),
  });
  const addedP50 = best === undefined ? Number.NaN : c1p50("colocated") - c1p50(best);
  checks.push({
    name: "co-located added p50, 1 in flight",
    target: "≤ 150 µs over the best bare model server",
    measured: `${fmt(c1p50("colocated"))} − ${best === undefined ? "n/a" : fmt(c1p50(best))} µs = ${fmt(addedP50)} µs`,
    value: addedP50,
    pass: verdict(addedP50 <= 150, addedP50),
  });
  const distributedShare = cap("distributed") / cap("fanout3");
  checks.push({
    name: "distributed capacity",
    target: "≥ 90 % of the bare front + 3 hops",
    measured: `${fmt(cap("distributed"))} vs ${fmt(cap("fanout3"))} req/s = ${pct(distributedShare)}`,
    value: distributedShare,
    pass: verdict(distributedShare >= 0.9, distributedShare),
  });
  for (const [traced, untraced, topology] of [
    ["colocated-traced", "colocated", "co-located"],
    ["distributed-traced", "distributed", "distributed"],
  ] as const) {
    const cost = 1 - cap(traced) / cap(untraced);
    checks.push({
      name: `tracing cost, ${topology}`,
      target: "≤ 15 % of capacity",
      measured: `${fmt(cap(traced))} vs ${fmt(cap(untraced))} req/s = ${cost >= 0 ? "−" : "+"}${pct(Math.abs(cost))}`,
      value: cost,
      pass: verdict(cost <= 0.15, cost),
    });
  }
  const largestIdle = (ids: (id: ScenarioId) => boolean): { readonly where: string; readonly mib: number } | undefined =>
    result.scenarios
      .filter((s) => ids(s.id))
      .flatMap((s) => Object.entries(s.idleRssMib).map(([name, mib]) => ({ where: `${name} (${s.id})`, mib })))
      .sort((a, b) => b.mib - a.mib)[0];
  for (const { name, target, limit, ids } of [
    {
      name: "idle RSS of every service, distributed",
      target: "≤ 150 MB (143 MiB) each",
      limit: RSS_LIMIT_MIB,
      ids: (id: ScenarioId) => scenarioSpec(id).topology === "distributed",
    },
    {
      name: "idle RSS of the co-located process",
      target: "≤ 250 MB (238 MiB)",
      limit: COLOCATED_RSS_LIMIT_MIB,
      ids: (id: ScenarioId) => scenarioSpec(id).topology === "co-located" && scenarioSpec(id).remoteExecutor !== true,
    },
  ]) {
    const worst = largestIdle(ids);
    checks.push({
      name,
      target,
      measured: worst === undefined ? "not measured" : `largest: ${worst.where} ${fmt(worst.mib)} MiB`,
      value: worst?.mib ?? Number.NaN,
      pass: worst === undefined ? undefined : worst.mib <= limit,
    });
  }
  return checks;
}
