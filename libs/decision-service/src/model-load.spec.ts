import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "@jest/globals";
import {
  type DecideRequest,
  DecideRequestSchema,
  Modality,
  ModelSchema,
  ModelStatus,
  PolicySchema,
  Strategy,
} from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { compilePolicy, createModelCatalogue } from "@modelrouter/policy";
import { createDecisionService } from "./index.js";

const models = ["digits-a", "digits-b"].map((name) =>
  create(ModelSchema, {
    name,
    version: "1",
    modality: Modality.IMAGE,
    status: ModelStatus.ACTIVE,
    backend: { kind: { case: "onnx", value: { uri: `${name}.onnx` } } },
  }),
);
const compiled = compilePolicy(
  create(PolicySchema, {
    name: "busy",
    defaultRoute: {
      strategy: Strategy.LEAST_LOADED,
      targets: models.map((m) => ({ kind: { case: "model" as const, value: { name: m.name } } })),
    },
  }),
  { catalogue: models },
);
if (compiled.kind !== "compiled") throw new Error(JSON.stringify(compiled.violations));
const service = createDecisionService({
  catalogue: { snapshot: () => ({ revision: 1n, catalogue: createModelCatalogue(models, 1n), policies: [compiled.policy] }) },
  random: () => 0,
});
const ctx = {} as Parameters<typeof service.decide>[1];

function request(load: { name: string; version?: string; inFlight: number }[]): DecideRequest {
  return create(DecideRequestSchema, {
    profile: { modality: Modality.IMAGE },
    load: load.map(({ name, version, inFlight }) => ({ model: { name, version: version ?? "" }, inFlight })),
  });
}

async function decided(load: Parameters<typeof request>[0]): Promise<string[]> {
  const { decision } = await service.decide(request(load), ctx);
  return [decision?.target?.model?.name ?? "", ...(decision?.fallbacks ?? []).map((f) => f.model?.name ?? "")];
}

describe("the decide request's load", () => {
  it("steers a least_loaded route to the model with fewer requests in flight, the busy one its fallback", async () => {
    expect(await decided([{ name: "digits-a", version: "1", inFlight: 8 }])).toEqual(["digits-b", "digits-a"]);
    expect(await decided([{ name: "digits-b", version: "1", inFlight: 8 }])).toEqual(["digits-a", "digits-b"]);
  });

  it("counts an entry without a version for every version of its model", async () => {
    expect(await decided([{ name: "digits-a", inFlight: 3 }])).toEqual(["digits-b", "digits-a"]);
  });

  it("reports the in_flight of each candidate in the explanation", async () => {
    const { decision } = await service.decide(request([{ name: "digits-a", inFlight: 4 }, { name: "digits-b", inFlight: 1 }]), ctx);
    expect(decision?.explanation?.candidates.map((c) => [c.model?.name, c.metric, c.score])).toEqual([
      ["digits-a", "in_flight", 4],
      ["digits-b", "in_flight", 1],
    ]);
  });

  it("is refused, naming the entry, when an entry names no model", async () => {
    const error = await service.decide(request([{ name: "", inFlight: 1 }]), ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).reason).toBe(ErrorReason.INVALID_FIELD);
    expect((error as DomainError).violations.map((v) => v.field)).toEqual(["load[0].model.name"]);
  });
});

describe("the decide request's explain flag", () => {
  it("leaves the explanation out when false, with the same target and fallbacks, and keeps it when absent or true", async () => {
    const load = [{ model: { name: "digits-a", version: "1" }, inFlight: 8 }];
    const decide = (explain: boolean | undefined) =>
      service.decide(
        create(DecideRequestSchema, { profile: { modality: Modality.IMAGE }, load, ...(explain === undefined ? {} : { explain }) }),
        ctx,
      );
    const [absent, explained, lean] = await Promise.all([decide(undefined), decide(true), decide(false)]);
    expect(absent.decision?.explanation?.candidates).toHaveLength(2);
    expect(explained.decision?.explanation?.candidates).toHaveLength(2);
    expect(lean.decision?.explanation).toBeUndefined();
    expect(lean.decision?.target).toEqual(explained.decision?.target);
    expect(lean.decision?.fallbacks).toEqual(explained.decision?.fallbacks);
  });
});
