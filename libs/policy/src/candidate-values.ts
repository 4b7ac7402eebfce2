import type { Model } from "@modelrouter/contracts";
import { type CandidateStats, type LiveStats, NO_LIVE_STATS } from "./candidate-stats.js";
import type { CelTypeDeclaration } from "./cel-values.js";

/** `candidate.metrics` in a constraint: the candidate's figures from the strategy's statistics provider. */
export class CandidateMetricsValue {
  readonly accuracy: number;
  readonly f1: number;
  readonly p50_latency_ms: number;
  readonly cost_per_request: number;
  readonly evaluation_samples: bigint;
  constructor(stats: CandidateStats, model: Model) {
    this.accuracy = stats.accuracy;
    this.f1 = stats.f1;
    this.p50_latency_ms = stats.p50LatencyMs;
    this.cost_per_request = stats.costPerRequest;
    this.evaluation_samples = BigInt(model.metrics?.evaluationSamples ?? 0);
  }
}

function count(value: number): bigint {
  return Number.isFinite(value) && value > 0 ? BigInt(Math.floor(value)) : 0n;
}

function figure(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/**
 * `candidate.live` in a constraint: the version's live figures from the statistics provider over its window
 * (counts as ints, rates and latencies as doubles); every field 0 when there are none.
 */
export class CandidateLiveValue {
  readonly requests: bigint;
  readonly error_rate: number;
  readonly p50_latency_ms: number;
  readonly p95_latency_ms: number;
  readonly p99_latency_ms: number;
  readonly accuracy: number;
  readonly labelled: bigint;
  readonly mean_reward: number;
  readonly rewarded: bigint;
  constructor(live: LiveStats) {
    this.requests = count(live.requests);
    this.error_rate = figure(live.errorRate);
    this.p50_latency_ms = figure(live.p50LatencyMs);
    this.p95_latency_ms = figure(live.p95LatencyMs);
    this.p99_latency_ms = figure(live.p99LatencyMs);
    this.accuracy = figure(live.accuracy);
    this.labelled = count(live.labelled);
    this.mean_reward = figure(live.meanReward);
    this.rewarded = count(live.rewarded);
  }
}

const NO_LIVE_VALUE = new CandidateLiveValue(NO_LIVE_STATS);

/** `candidate` in a constraint: one model version a route's targets resolved to. */
export class CandidateValue {
  readonly name: string;
  readonly version: string;
  readonly task: string;
  readonly labels: Map<string, string>;
  readonly metrics: CandidateMetricsValue;
  readonly live: CandidateLiveValue;
  constructor(model: Model, stats: CandidateStats) {
    this.name = model.name;
    this.version = model.version;
    this.task = model.task;
    this.labels = new Map(Object.entries(model.labels ?? {}));
    this.metrics = new CandidateMetricsValue(stats, model);
    this.live = stats.live === undefined ? NO_LIVE_VALUE : new CandidateLiveValue(stats.live);
  }
}

/** The CEL types of `candidate`, declared only in the constraint language. */
export function candidateCelTypes(): readonly CelTypeDeclaration[] {
  return [
    {
      name: "CandidateMetrics",
      ctor: CandidateMetricsValue,
      fields: {
        accuracy: "double",
        f1: "double",
        p50_latency_ms: "double",
        cost_per_request: "double",
        evaluation_samples: "int",
      },
    },
    {
      name: "CandidateLive",
      ctor: CandidateLiveValue,
      fields: {
        requests: "int",
        error_rate: "double",
        p50_latency_ms: "double",
        p95_latency_ms: "double",
        p99_latency_ms: "double",
        accuracy: "double",
        labelled: "int",
        mean_reward: "double",
        rewarded: "int",
      },
    },
    {
      name: "Candidate",
      ctor: CandidateValue,
      fields: {
        name: "string",
        version: "string",
        task: "string",
        labels: "map<string, string>",
        metrics: "CandidateMetrics",
        live: "CandidateLive",
      },
    },
  ];
}
