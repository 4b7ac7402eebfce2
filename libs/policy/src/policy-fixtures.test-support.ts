import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type InputProfile,
  InputProfileSchema,
  type LabelOperator,
  Modality,
  type Model,
  ModelSchema,
  ModelStatus,
  type Policy,
  PolicySchema,
  type RequestContext,
  RequestContextSchema,
  type RouteSchema,
  type RuleSchema,
  Strategy,
  type TargetSchema,
} from "@modelrouter/contracts";
import { type CompiledPolicy, compilePolicy } from "./index.js";

type TargetInit = MessageInitShape<typeof TargetSchema>;
type RouteInit = MessageInitShape<typeof RouteSchema>;
type RuleInit = MessageInitShape<typeof RuleSchema>;

/** A target naming a model (and optionally a version). */
export function modelTarget(name: string, version = ""): TargetInit {
  return { kind: { case: "model", value: { name, version } } };
}

/** A target selecting models by label. */
export function selectorTarget(
  matchLabels: Record<string, string>,
  matchExpressions: { key: string; operator: LabelOperator; values?: string[] }[] = [],
): TargetInit {
  return { kind: { case: "selector", value: { matchLabels, matchExpressions } } };
}

/** A route with these targets and fallbacks. */
export function route(targets: TargetInit[], fallbacks: TargetInit[] = [], strategy = Strategy.UNSPECIFIED): RouteInit {
  return { targets, fallbacks, strategy };
}

/** A rule. */
export function rule(name: string, when: string, ruleRoute: RouteInit): RuleInit {
  return { name, when, route: ruleRoute };
}

/** A Policy message. */
export function policy(init: MessageInitShape<typeof PolicySchema>): Policy {
  return create(PolicySchema, init);
}

/** Compiles a policy that must be valid, failing the test with its violations otherwise. */
export function compiled(init: MessageInitShape<typeof PolicySchema>): CompiledPolicy {
  const result = compilePolicy(policy(init));
  if (result.kind === "invalid") throw new Error(`invalid policy: ${JSON.stringify(result.violations)}`);
  return result.policy;
}

/** Options of {@link model}. */
export interface ModelOptions {
  readonly modality?: Modality;
  readonly status?: ModelStatus;
  readonly labels?: Record<string, string>;
  /** Creation time in epoch milliseconds; absent means none. */
  readonly createdMs?: number;
  readonly uri?: string;
  /** The tenant it serves only; absent: shared. */
  readonly tenant?: string;
}

/** A model version: by default an ACTIVE image model with an ONNX backend. */
export function model(name: string, version: string, options: ModelOptions = {}): Model {
  return create(ModelSchema, {
    name,
    version,
    modality: options.modality ?? Modality.IMAGE,
    status: options.status ?? ModelStatus.ACTIVE,
    labels: options.labels ?? {},
    backend: { kind: { case: "onnx", value: { uri: options.uri ?? `${name}-${version}.onnx` } } },
    ...(options.createdMs === undefined ? {} : { createTime: timestampFromMs(options.createdMs) }),
    ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
  });
}

/** An image profile of the given size. */
export function imageInput(width = 28, height = 28, metadata: Record<string, string> = {}): InputProfile {
  return create(InputProfileSchema, {
    modality: Modality.IMAGE,
    mimeType: "image/png",
    sizeBytes: 1234,
    image: { format: "png", width, height, channels: 1, bitDepth: 8 },
    metadata,
  });
}

/** A text profile. */
export function textInput(length = 12, language = "en"): InputProfile {
  return create(InputProfileSchema, {
    modality: Modality.TEXT,
    mimeType: "text/plain",
    sizeBytes: length,
    text: { length, wordCount: 2, language, languageConfidence: 0.9 },
  });
}

/** A request context. */
export function requestContext(init: MessageInitShape<typeof RequestContextSchema> = {}): RequestContext {
  return create(RequestContextSchema, init);
}

/** A fixed time: 2024-06-01T12:00:00Z. */
export const NOON = Date.UTC(2024, 5, 1, 12, 0, 0);

/** A random source that must not be used. */
export function noRandom(): number {
  throw new Error("the FIRST strategy must not draw random numbers");
}
