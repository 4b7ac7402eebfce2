import type { Model } from "@modelrouter/contracts";
import type { CandidateStats } from "./candidate-stats.js";
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

/** `candidate` in a constraint: one model version a route's targets resolved to. */
export class CandidateValue {
  readonly name: string;
  readonly version: string;
  readonly task: string;
  readonly labels: Map<string, string>;
  readonly metrics: CandidateMetricsValue;
  constructor(model: Model, stats: CandidateStats) {
    this.name = model.name;
    this.version = model.version;
    this.task = model.task;
    this.labels = new Map(Object.entries(model.labels ?? {}));
    this.metrics = new CandidateMetricsValue(stats, model);
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
      name: "Candidate",
      ctor: CandidateValue,
      fields: {
        name: "string",
        version: "string",
        task: "string",
        labels: "map<string, string>",
        metrics: "CandidateMetrics",
      },
    },
  ];
}
