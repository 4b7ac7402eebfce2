import { create } from "@bufbuild/protobuf";
import {
  type InputProfile,
  InputProfileSchema,
  Modality,
  type Model,
  ModelSchema,
  ModelStatus,
  type Policy,
  PolicySchema,
  type RequestContext,
  RequestContextSchema,
  Strategy,
} from "@modelrouter/contracts";
import { type CompileResult, type EvaluationInput, compilePolicy, createModelCatalogue, orderPolicies } from "@modelrouter/policy";

/** Where the deciding rule stands among the 20: first (best case) or last (every other condition evaluated first). */
export type DecidingPosition = "first" | "last";

/** The conditions of the 19 rules that do not match the benchmark's request: metadata, modality, sizes, tier. */
export const NON_MATCHING_CONDITIONS: readonly string[] = [
  `input.modality == "text" && input.text.language == "de"`,
  `request.tier == "free" && input.size_bytes > 1048576`,
  `"region" in request.metadata && request.metadata["region"] == "eu-west"`,
  `input.image.width >= 1024 && input.image.height >= 1024`,
  `input.modality == "audio" && input.audio.duration_seconds > 30.0`,
  `request.tenant == "acme" && request.tier == "enterprise"`,
  `"source" in input.metadata && input.metadata["source"] == "camera"`,
  `input.image.format == "jpeg" && input.image.color == "color"`,
  `input.image.sharpness < 50.0 && input.image.pixels_analyzed > 0`,
  `request.deadline_ms > 0 && request.deadline_ms < 20`,
  `input.modality == "tabular" && input.tabular.row_count > 1000`,
  `"experiment" in request.metadata && request.metadata["experiment"] == "shadow-b"`,
  `input.image.min_side <= 8`,
  `input.size_bytes > 5000000`,
  `request.tier == "batch" || request.tenant == "internal-test"`,
  `input.modality == "tensor" && size(input.tensor.shape) == 4`,
  `input.mime_type == "image/jpeg" && input.image.width > 4096`,
  `"priority" in request.metadata && request.metadata["priority"] == "low"`,
  `input.image.channels == 4`,
];

/** The deciding rule's condition: a premium image request of at least 28 pixels a side. */
export const DECIDING_CONDITION = `input.modality == "image" && request.tier == "premium" && input.image.min_side >= 28`;

/** The deciding route's constraints: fast enough, and evaluated on enough samples. */
export const DECIDING_CONSTRAINTS: readonly string[] = [
  "candidate.metrics.p50_latency_ms < 50.0",
  "candidate.metrics.evaluation_samples >= 5000",
];

/** The name of catalogue model `index` (0–19). */
export function candidateName(index: number): string {
  return `digits-${String(index).padStart(2, "0")}`;
}

/**
 * The model the deciding route must choose: accuracy rises with the index, models 14–19 are too slow
 * (p50 ≥ 52 ms) and model 13 was evaluated on too few samples, so the most accurate candidate that passes both constraints is 12.
 */
export const EXPECTED_TARGET = candidateName(12);

/** 20 ACTIVE image models labelled `task: digit-classification`, with accuracy and latency that make {@link EXPECTED_TARGET} win. */
export function benchmarkCatalogueModels(): Model[] {
  return Array.from({ length: 20 }, (_, index) =>
    create(ModelSchema, {
      name: candidateName(index),
      version: "1",
      modality: Modality.IMAGE,
      status: ModelStatus.ACTIVE,
      labels: { task: "digit-classification", stage: "stable", team: "vision" },
      backend: { kind: { case: "onnx", value: { uri: `${candidateName(index)}-1.onnx` } } },
      metrics: { accuracy: 0.9 + index * 0.004, p50LatencyMs: 10 + index * 3, evaluationSamples: index === 13 ? 1_000 : 10_000 },
    }),
  );
}

function decidingRule() {
  return {
    name: "premium-best",
    when: DECIDING_CONDITION,
    route: {
      strategy: Strategy.BEST,
      metric: "accuracy",
      constraints: [...DECIDING_CONSTRAINTS],
      targets: [{ kind: { case: "selector" as const, value: { matchLabels: { task: "digit-classification" } } } }],
    },
  };
}

function nonMatchingRule(condition: string, index: number) {
  return {
    name: `rule-${String(index).padStart(2, "0")}`,
    when: condition,
    route: { targets: [{ kind: { case: "model" as const, value: { name: candidateName(index) } } }] },
  };
}

/** The benchmark's Policy message: 20 rules (19 that do not match and the deciding one, first or last) and a default route. */
export function benchmarkPolicy(position: DecidingPosition): Policy {
  const others = NON_MATCHING_CONDITIONS.map((condition, index) => nonMatchingRule(condition, index));
  return create(PolicySchema, {
    name: "digits-bench",
    when: `input.modality != ""`,
    rules: position === "first" ? [decidingRule(), ...others] : [...others, decidingRule()],
    defaultRoute: { targets: [{ kind: { case: "model", value: { name: candidateName(0) } } }] },
  });
}

/** Compiles {@link benchmarkPolicy} against the benchmark's catalogue, failing with the violations if it is invalid. */
export function compileBenchmarkPolicy(position: DecidingPosition): CompileResult & { kind: "compiled" } {
  const result = compilePolicy(benchmarkPolicy(position), { catalogue: benchmarkCatalogueModels() });
  if (result.kind === "invalid") {
    throw new Error(`the benchmark policy does not compile: ${JSON.stringify(result.violations)}`);
  }
  return result;
}

/** The analyzer's profile of a 28×28 greyscale PNG scan with request metadata, like a real digit request. */
export function benchmarkProfile(): InputProfile {
  return create(InputProfileSchema, {
    modality: Modality.IMAGE,
    mimeType: "image/png",
    declaredMimeType: "image/png",
    sizeBytes: 812,
    image: { format: "png", width: 28, height: 28, channels: 1, bitDepth: 8, color: "gray", minSide: 28, sharpness: 180.5, pixelsAnalyzed: 784 },
    metadata: { source: "scanner", region: "us-east" },
  });
}

/** A premium caller's context with a 2 s deadline. */
export function benchmarkContext(): RequestContext {
  return create(RequestContextSchema, {
    requestId: "req-0001",
    tenant: "acme",
    tier: "premium",
    userId: "user-42",
    metadata: { region: "us-east", experiment: "none", client: "web" },
    timeout: { seconds: 2n, nanos: 0 },
  });
}

/** A fixed request time: 2026-01-15T09:30:00Z. */
export const BENCHMARK_NOW = Date.UTC(2026, 0, 15, 9, 30, 0);

/**
 * The full evaluator input of one benchmark variant, with the catalogue indexed and the policies ordered once.
 * `explain`: whether the decision carries its explanation (true, as for Explain; false, as the router asks for
 * Infer).
 */
export function benchmarkInput(position: DecidingPosition, explain = true): EvaluationInput {
  return {
    explain,
    policies: orderPolicies([compileBenchmarkPolicy(position).policy]),
    catalogue: createModelCatalogue(benchmarkCatalogueModels(), 7n),
    profile: benchmarkProfile(),
    context: benchmarkContext(),
    now: BENCHMARK_NOW,
    random: () => {
      throw new Error("STRATEGY_BEST must not draw random numbers");
    },
  };
}
