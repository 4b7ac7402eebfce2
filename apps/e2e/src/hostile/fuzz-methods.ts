import { readFileSync } from "node:fs";
import { create, toBinary, type DescMessage, type DescService, type MessageInitShape } from "@bufbuild/protobuf";
import {
  AnalyzeRequestSchema,
  AnalyzerService,
  ApplyPolicyRequestSchema,
  DecideRequestSchema,
  DecisionService,
  ExecuteRequestSchema,
  ExecutorService,
  ExplainRequestSchema,
  GetDecisionRequestSchema,
  GetModelRequestSchema,
  Health,
  HealthCheckRequestSchema,
  InferRequestSchema,
  ListModelsRequestSchema,
  ModelStatus,
  OpenRequestSchema,
  RegisterModelRequestSchema,
  RegistryService,
  RouterService,
  SubmitFeedbackRequestSchema,
  TunnelService,
  type InputProfile,
  type Model,
} from "@modelrouter/contracts";
import { loadSampleIndex } from "@modelrouter/model-zoo";
import { messageFields, type MessageFields } from "./message-fields.js";

/** A method to fuzz: its path, a valid request for it, and where its strings and payloads are. */
export interface FuzzMethod {
  readonly path: string;
  readonly valid: Uint8Array;
  readonly fields: MessageFields;
  /** How many of an address's message cases go to it, relative to the others. */
  readonly weight: number;
  /** For the tunnel: the method of the call it carries. */
  readonly carried?: FuzzMethod;
}

/** The valid requests the fuzzer mutates, built from what the running system knows. */
export interface FuzzSeeds {
  /** A profile the analyzer made (for `Decide`). */
  readonly profile: InputProfile;
  /** A registered model whose backend runs (for `Execute`). */
  readonly model: Model;
}

const pathOf = (service: DescService, method: string): string => `/${service.typeName}/${method}`;

function fuzzMethod<D extends DescMessage>(service: DescService, method: string, schema: D, init: MessageInitShape<D>, weight: number): FuzzMethod {
  return { path: pathOf(service, method), valid: toBinary(schema, create(schema, init)), fields: messageFields(schema), weight };
}

/** A digit image payload, as the demo sends it. */
export function digitPayload() {
  const sample = loadSampleIndex().find((s) => s.kind === "mnist")!;
  return { kind: { case: "image" as const, value: { data: readFileSync(sample.path), mimeType: "image/png" } } };
}

/** A valid `InferRequest` the demo policy routes to a model. */
export function validInferInit(): MessageInitShape<typeof InferRequestSchema> {
  return { payload: digitPayload(), metadata: { image_type: "scan", source: "fuzz" }, tenant: "tenant-1", tier: "premium", userId: "user-1" };
}

/** Every fuzzed method of each service, by the service name `RunningSystem.addresses` uses. */
export function fuzzMethodsByService(seeds: FuzzSeeds): Readonly<Record<string, readonly FuzzMethod[]>> {
  const infer = validInferInit();
  const payload = digitPayload();
  const fuzzModel: Model = { ...seeds.model, name: "fuzz-model", labels: {}, status: ModelStatus.STAGING };
  const tunnelled = (carried: FuzzMethod): FuzzMethod => ({
    ...fuzzMethod(TunnelService, "Open", OpenRequestSchema, { callId: 1n, method: carried.path, message: carried.valid, timeoutMs: 10_000, headers: { "x-fuzz": "1" } }, 2),
    carried,
  });
  const health = fuzzMethod(Health, "Check", HealthCheckRequestSchema, { service: "" }, 1);
  const services: Record<string, FuzzMethod[]> = {
    router: [
      fuzzMethod(RouterService, "Infer", InferRequestSchema, infer, 10),
      fuzzMethod(RouterService, "Explain", ExplainRequestSchema, { request: infer }, 3),
      fuzzMethod(RouterService, "SubmitFeedback", SubmitFeedbackRequestSchema, { requestId: "fuzz-feedback", feedback: { case: "label", value: "3" } }, 1),
    ],
    analyzer: [fuzzMethod(AnalyzerService, "Analyze", AnalyzeRequestSchema, { payload, metadata: { image_type: "scan" } }, 4)],
    "decision-engine": [fuzzMethod(DecisionService, "Decide", DecideRequestSchema, { profile: seeds.profile }, 4)],
    executor: [
      fuzzMethod(ExecutorService, "Execute", ExecuteRequestSchema, { requestId: "fuzz-1", model: { name: seeds.model.name, version: seeds.model.version }, backend: seeds.model.backend, payload }, 4),
    ],
    registry: [
      fuzzMethod(RegistryService, "RegisterModel", RegisterModelRequestSchema, { model: fuzzModel }, 3),
      fuzzMethod(
        RegistryService,
        "ApplyPolicy",
        ApplyPolicyRequestSchema,
        {
          policy: { name: "fuzz-policy", priority: 1, when: 'request.tenant == "fuzz-only"', defaultRoute: { targets: [{ kind: { case: "model", value: { name: "digits-general" } } }] } },
          validateOnly: true,
        },
        3,
      ),
      fuzzMethod(RegistryService, "ListModels", ListModelsRequestSchema, { pageSize: 10, labels: { domain: "digits" } }, 1),
      fuzzMethod(RegistryService, "GetModel", GetModelRequestSchema, { name: "digits-general", version: "1" }, 1),
      fuzzMethod(RegistryService, "GetDecision", GetDecisionRequestSchema, { requestId: "fuzz-never-seen" }, 1),
    ],
  };
  for (const methods of Object.values(services)) {
    const main = methods[0]!;
    methods.push(health, tunnelled(main));
  }
  return services;
}

/** The path of the tunnel's stream method. */
export const TUNNEL_PATH = pathOf(TunnelService, "Open");
