import type { LatencyPercentiles } from "../loadgen/histogram.js";
import type { BenchOptions } from "../cli-options.js";
import type { BenchResult, ScenarioInfo } from "../run/bench-result.js";
import type { RunRecord } from "../run/run-record.js";
import type { ScenarioId } from "../scenarios/scenario-spec.js";

/** Latency percentiles (µs) with p99 = 3 × p50 and p99.9 = 5 × p50. */
export function latency(p50: number): LatencyPercentiles {
  return { count: 1000, min: p50 / 2, mean: p50 * 1.2, p50, p90: p50 * 2, p99: p50 * 3, p999: p50 * 5, max: p50 * 8 };
}

const processes: Record<ScenarioId, string[]> = {
  echo: ["echo"],
  fanout3: ["front", "hop1", "hop2", "hop3"],
  "model-main": ["model-main"],
  "model-pool": ["model-pool"],
  colocated: ["router"],
  "colocated-traced": ["router"],
  "colocated-metrics": ["router"],
  "remote-executor": ["router", "executor"],
  distributed: ["router", "registry", "analyzer", "executor", "decision-engine"],
  "distributed-traced": ["router", "registry", "analyzer", "executor", "decision-engine"],
};

/** Per scenario: capacity (req/s) and c1 p50 (µs); the rates' p50 are c1 p50 × 2. */
const figures: Record<ScenarioId, { capacity: number; c1: number }> = {
  echo: { capacity: 20_000, c1: 400 },
  fanout3: { capacity: 1000, c1: 2500 },
  "model-main": { capacity: 15_000, c1: 450 },
  "model-pool": { capacity: 10_000, c1: 600 },
  colocated: { capacity: 13_000, c1: 500 },
  "colocated-traced": { capacity: 12_000, c1: 560 },
  "colocated-metrics": { capacity: 12_740, c1: 505 },
  "remote-executor": { capacity: 9000, c1: 800 },
  distributed: { capacity: 800, c1: 3000 },
  "distributed-traced": { capacity: 600, c1: 3300 },
};

/**
 * A small but complete benchmark result: every scenario, two repetitions (the second 10 % slower), rates 200
 * and 2,000 req/s with 2,000 skipped for the distributed scenarios and fanout3; the bare model server on the main
 * thread (15,000 req/s) faster than the pool (10,000); the first process of each scenario using 70 % of its CPU
 * (1e6 / capacity µs per request in all); idle RSS 160 MiB co-located, 145 MiB for the distributed executors, 90
 * MiB elsewhere; one run with foreign CPU of 50 %, one with two UNAVAILABLE answers, and a lost hop in the traced
 * distributed capacity run.
 */
export function sampleResult(): BenchResult {
  const runs: RunRecord[] = [];
  for (const repetition of [1, 2]) {
    const slow = repetition === 2 ? 1.1 : 1;
    for (const id of Object.keys(figures) as ScenarioId[]) {
      const f = figures[id];
      const cpu = (total: number): Record<string, number> =>
        Object.fromEntries([...processes[id].map((p, i) => [p, i === 0 ? total * 0.7 : (total * 0.3) / Math.max(1, processes[id].length - 1)]), ["bench", 5]]);
      const traced = id.endsWith("-traced");
      const topology = id.startsWith("distributed") ? "distributed" : "co-located";
      const spans = (missing: string[] = []) =>
        traced
          ? { spans: { requests: 100, spans: 600, perRequest: topology === "distributed" ? 10 : 6, expectedPerRequest: topology === "distributed" ? 10 : 6, byKey: {}, missing } }
          : {};
      runs.push({
        scenario: id,
        phase: "capacity",
        repetition,
        tool: "h2load",
        completed: 1000,
        throughput: f.capacity / slow,
        errors: 0,
        h2load: [
          { connections: 1, streams: 64, requestsPerSecond: f.capacity / slow, succeeded: 1000, failed: 0, answeredShare: 1, meanRequestUs: 100 },
          { connections: 4, streams: 32, requestsPerSecond: (f.capacity / slow) * 0.9, succeeded: 900, failed: 0, answeredShare: 1, meanRequestUs: 100 },
        ],
        cpuUsPerRequest: { ...cpu(1e6 / f.capacity), h2load: 3 },
        rssMaxMib: Object.fromEntries(processes[id].map((p) => [p, 120])),
        machineBusyPct: 190,
        foreignPct: id === "echo" && repetition === 2 ? 50 : 2,
        quietWaitS: 1,
        quiet: true,
        ...spans(id === "distributed-traced" && repetition === 1 ? ["registry SERVER RegistryService/RecordDecision"] : []),
      });
      runs.push({
        scenario: id,
        phase: "c1",
        repetition,
        tool: "loadgen",
        completed: 1000,
        throughput: 1e6 / (f.c1 * slow),
        latencyUs: latency(f.c1 * slow),
        errors: id === "colocated" && repetition === 1 ? 2 : 0,
        statusCounts: id === "colocated" && repetition === 1 ? { OK: 998, UNAVAILABLE: 2 } : { OK: 1000 },
        cpuUsPerRequest: { ...cpu(f.c1), loadgen: 300 },
        rssMaxMib: Object.fromEntries(processes[id].map((p) => [p, 110])),
        machineBusyPct: 100,
        foreignPct: 1,
        quietWaitS: 1,
        quiet: true,
        ...spans(),
      });
      for (const rate of [200, 2000]) {
        if (rate > 0.9 * f.capacity) {
          runs.push({ scenario: id, phase: "rate", rate, repetition, skipped: `above 90 % of the measured capacity (${f.capacity} req/s)` });
          continue;
        }
        runs.push({
          scenario: id,
          phase: "rate",
          rate,
          repetition,
          tool: "loadgen",
          completed: rate * 8,
          throughput: rate,
          latencyUs: latency(f.c1 * 2 * slow * (rate === 2000 ? 1.5 : 1)),
          errors: 0,
          statusCounts: { OK: rate * 8 },
          schedule: { dropped: 0, late: 3, sendLagP99Us: 900 },
          cpuUsPerRequest: { ...cpu(f.c1 * 1.5), loadgen: 400 },
          rssMaxMib: Object.fromEntries(processes[id].map((p) => [p, 115])),
          machineBusyPct: 80,
          foreignPct: 3,
          quietWaitS: 1,
          quiet: true,
          ...spans(),
        });
      }
    }
  }
  const scenarios: ScenarioInfo[] = (Object.keys(figures) as ScenarioId[]).map((id) => ({
    id,
    label: id,
    processes: processes[id],
    responseBytes: id === "echo" || id === "fanout3" ? 218 : id.startsWith("model-") ? 85 : 184,
    idleRssMib: Object.fromEntries(processes[id].map((p) => [p, id.startsWith("colocated") ? 160 : id.startsWith("distributed") && p === "executor" ? 145 : 90])),
    finalRssMib: Object.fromEntries(processes[id].map((p) => [p, 100])),
  }));
  const options: BenchOptions = {
    scenarios: Object.keys(figures) as ScenarioId[],
    repeat: 2,
    rates: [200, 2000],
    maxRateShare: 0.9,
    warmupS: 2,
    durationS: 8,
    capacityWarmupS: 1,
    capacityDurationS: 4,
    h2load: [
      { connections: 1, streams: 64 },
      { connections: 4, streams: 32 },
    ],
    verifyConcurrency: 64,
    verifyDurationS: 3,
    seed: 1,
    quietMaxBusyPct: 40,
    quietMaxWaitS: 30,
    jsonPath: "/tmp/bench.json",
    docsPath: "/tmp/benchmarks.md",
    svgPath: "/tmp/benchmarks-latency.svg",
    soakRate: 200,
    verbose: false,
  };
  return {
    startedAt: "2026-11-23T14:00:00.000Z",
    finishedAt: "2026-11-23T14:15:00.000Z",
    command: "node tools/bench/dist/main.js --repeat 2",
    machine: {
      cpuModel: "AMD EPYC",
      cores: 2,
      memoryGiB: 24,
      kernel: "6.18.44-fc",
      node: "v20.20.2",
      packages: { "@grpc/grpc-js": "1.14.7", "@bufbuild/protobuf": "2.17.0" },
      h2load: "h2load nghttp2/1.52.0",
    },
    options,
    requestBytes: 184,
    notes: [],
    scenarios,
    runs,
  };
}
