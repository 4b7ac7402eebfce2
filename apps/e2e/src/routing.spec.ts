import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { clone, fromJson, type MessageInitShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { ModelSchema, PolicySchema, type InferRequestSchema } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex, type Sample } from "@modelrouter/model-zoo";
import { Code, isRpcError, type RpcError } from "@modelrouter/rpc-kit";
import { startModelrouter, type RunningSystem, type Topology } from "@modelrouter/testing";

const samples = loadSampleIndex();
const lowres = samples.filter((s) => s.kind === "lowres");
const mnist = samples.filter((s) => s.kind === "mnist");

type InferInit = MessageInitShape<typeof InferRequestSchema>;

const imageRequest = (sample: Sample, extra: { readonly metadata?: Record<string, string>; readonly requestId?: string } = {}): InferInit => ({
  payload: { kind: { case: "image", value: { data: readFileSync(sample.path), mimeType: "image/png" } } },
  ...extra,
});

/** The policy a user applies in these tests: scans to the specialist, a broken variant, the rest general. */
const digitsPolicy = fromJson(PolicySchema, {
  name: "digits",
  description: "scans to the low-resolution specialist, everything else to the general model",
  priority: 10,
  when: 'input.modality == "image"',
  rules: [
    {
      name: "lowres-scans",
      when: '"image_type" in request.metadata && request.metadata["image_type"] == "lowres_scan"',
      route: { targets: [{ model: { name: "digits-lowres-specialist" } }], fallbacks: [{ model: { name: "digits-general" } }] },
    },
    {
      name: "broken-variant",
      when: '"variant" in request.metadata && request.metadata["variant"] == "broken"',
      route: { targets: [{ model: { name: "digits-broken" } }], fallbacks: [{ model: { name: "digits-general" } }] },
    },
  ],
  defaultRoute: { targets: [{ model: { name: "digits-general" } }] },
});

/** A model version whose ONNX file does not exist: the executor cannot load it (UNAVAILABLE). */
function brokenModel() {
  const general = loadDemoModels().find((m) => m.name === "digits-general")!;
  const broken = clone(ModelSchema, general);
  broken.name = "digits-broken";
  if (broken.backend?.kind.case === "onnx") {
    broken.backend.kind.value.uri = "digits-broken/model.onnx";
    broken.backend.kind.value.sha256 = "";
  }
  return broken;
}

async function failure(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (isRpcError(error)) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe.each(["distributed", "co-located"] as Topology[])("modelrouter, %s", (topology) => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startModelrouter(topology);
    // A user registers models and applies a policy, through the public registry API.
    const zoo = loadDemoModels();
    for (const name of ["digits-general", "digits-lowres-specialist"]) {
      await system.registry.registerModel({ model: zoo.find((m) => m.name === name)! });
    }
    await system.registry.registerModel({ model: brokenModel() });
    const applied = await system.registry.applyPolicy({ policy: digitsPolicy });
    expect(applied.created).toBe(true);
    // The decision engine follows the registry's watch stream: wait until it routes with the new policy.
    const end = Date.now() + 30_000;
    for (;;) {
      const explained = await system.router.explain({ request: imageRequest(mnist[0]!) }).catch(() => undefined);
      if (explained?.decision?.policy === "digits") break;
      if (Date.now() > end) throw new Error("the policy never reached the decision engine");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    const codes = await system.stop();
    expect(codes).toEqual(Object.fromEntries(system.processes.map((p) => [p.name, 0])));
  });

  it("routes low-resolution scans marked image_type=lowres_scan to the specialist, which reads them right", async () => {
    for (const sample of lowres) {
      const response = await system.router.infer(imageRequest(sample, { metadata: { image_type: "lowres_scan" } }));
      expect(response.model).toMatchObject({ name: "digits-lowres-specialist", version: "1" });
      expect(response.policy).toBe("digits");
      expect(response.rule).toBe("lowres-scans");
      expect(response.fallbackUsed).toBe(false);
      expect(response.attempts.map((a) => a.code)).toEqual([Code.OK]);
      const top = response.outputs[0]?.value.case === "classification" ? response.outputs[0].value.value.labels[0]?.label : undefined;
      expect({ file: sample.file, top }).toEqual({ file: sample.file, top: sample.label });
      expect(response.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(response.requestId).not.toBe("");
    }
  });

  it("routes regular digits to the general model by the default route", async () => {
    for (const sample of mnist) {
      const response = await system.router.infer(imageRequest(sample));
      expect(response.model?.name).toBe("digits-general");
      expect(response.rule).toBe("");
      const top = response.outputs[0]?.value.case === "classification" ? response.outputs[0].value.value.labels[0]?.label : undefined;
      expect({ file: sample.file, top }).toEqual({ file: sample.file, top: sample.label });
    }
  });

  it("falls back to the next model when the chosen one cannot run, and says so", async () => {
    const response = await system.router.infer(imageRequest(mnist[7]!, { metadata: { variant: "broken" } }));
    expect(response.rule).toBe("broken-variant");
    expect(response.fallbackUsed).toBe(true);
    expect(response.model?.name).toBe("digits-general");
    expect(response.attempts.map((a) => [a.model?.name, a.code])).toEqual([
      ["digits-broken", Code.UNAVAILABLE],
      ["digits-general", Code.OK],
    ]);
  });

  it("explains a decision without running a model", async () => {
    const response = await system.router.explain({ request: imageRequest(lowres[3]!, { metadata: { image_type: "lowres_scan" } }) });
    expect(response.profile?.image).toMatchObject({ format: "png", width: 8, height: 8 });
    expect(response.decision?.target?.model?.name).toBe("digits-lowres-specialist");
    expect(response.decision?.fallbacks.map((f) => f.model?.name)).toEqual(["digits-general"]);
    expect(response.decision?.explanation?.summary).toContain("lowres-scans");
    expect(response.decision?.explanation?.policies[0]?.rules[0]).toMatchObject({ rule: "lowres-scans", matched: true });
  });

  it("records feedback against the logged decision, on the answer's model", async () => {
    const sample = lowres[5]!;
    const answer = await system.router.infer(imageRequest(sample, { requestId: `fb-${topology}`, metadata: { image_type: "lowres_scan" } }));
    const right = await system.router.submitFeedback({ requestId: answer.requestId, feedback: { case: "label", value: sample.label } });
    expect(right).toMatchObject({ correct: true, model: { name: "digits-lowres-specialist", version: "1" } });
    const wrong = await system.router.submitFeedback({ requestId: answer.requestId, feedback: { case: "label", value: "not-a-digit" } });
    expect(wrong.correct).toBe(false);
    const logged = await system.registry.getDecision({ requestId: answer.requestId });
    expect(logged.decision).toMatchObject({ policy: "digits", rule: "lowres-scans", topLabel: sample.label, traceId: answer.traceId });
    expect(logged.decision?.feedback?.value).toEqual({ case: "label", value: "not-a-digit" });
    // The record names the policy revision that decided, and the log can be queried by it.
    const revision = (await system.registry.getPolicy({ name: "digits" })).policy!.revision;
    expect(logged.decision?.policyRevision).toBe(revision);
    const listed = await system.registry.listDecisions({ policy: "digits", rule: "lowres-scans", policyRevision: revision });
    expect(listed.decisions.map((d) => d.requestId)).toContain(answer.requestId);
  });

  it("counts the router's attempts in the registry's live statistics, with accuracy from labelled feedback", async () => {
    const specialist = async () => (await system.registry.listModelStats({ model: "digits-lowres-specialist" })).stats.find((s) => s.model?.version === "1");
    const before = (await specialist())?.requests ?? 0n;
    const answers = [];
    for (const sample of lowres.slice(0, 6)) {
      const answer = await system.router.infer(imageRequest(sample, { metadata: { image_type: "lowres_scan" } }));
      await system.router.submitFeedback({ requestId: answer.requestId, feedback: { case: "label", value: sample.label } });
      answers.push(answer);
    }
    // The router reports every second, off the request path: wait (bounded) for its next report.
    let stats = await specialist();
    for (let i = 0; i < 100 && (stats?.requests ?? 0n) < before + 6n; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stats = await specialist();
    }
    expect(stats?.requests).toBeGreaterThanOrEqual(before + 6n);
    expect(stats?.errors).toBe(0n);
    expect(stats?.p50LatencyMs).toBeGreaterThan(0);
    expect(stats?.labelled).toBeGreaterThanOrEqual(6n);
    expect(stats?.accuracy).toBeGreaterThan(0.5);
    expect(answers.every((a) => a.model?.name === "digits-lowres-specialist")).toBe(true);
  });

  it("answers curl: Connect with JSON on the HTTP port", async () => {
    const body = { payload: { image: { data: readFileSync(lowres[1]!.path).toString("base64") } }, metadata: { image_type: "lowres_scan" } };
    const response = await fetch(`${system.httpUrl}/modelrouter.router.v1.RouterService/Infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    const json = (await response.json()) as { model: { name: string }; outputs: { classification: { labels: { label: string }[] } }[] };
    expect(json.model.name).toBe("digits-lowres-specialist");
    expect(json.outputs[0]?.classification.labels[0]?.label).toBe(lowres[1]!.label);
  });

  describe("bad input gets a clear answer", () => {
    it("a request without a payload: INVALID_ARGUMENT naming the field", async () => {
      const error = await failure(system.router.infer({}));
      expect(error.code).toBe(Code.INVALID_ARGUMENT);
      expect(error.violations.map((v) => v.field)).toContain("payload");
    });

    it("image bytes that are not an image: INVALID_ARGUMENT naming payload.image.data", async () => {
      const error = await failure(system.router.infer({ payload: { kind: { case: "image", value: { data: new TextEncoder().encode("hello") } } } }));
      expect(error.code).toBe(Code.INVALID_ARGUMENT);
      expect(error.violations.map((v) => v.field)).toEqual(["payload.image.data"]);
    });

    it("an unknown model: NOT_FOUND", async () => {
      const error = await failure(system.registry.getModel({ name: "no-such-model" }));
      expect(error.code).toBe(Code.NOT_FOUND);
      expect(error.reason).toBe("MODEL_NOT_FOUND");
    });

    it("a policy that does not compile: INVALID_ARGUMENT with the expression's position, and nothing stored", async () => {
      const bad = clone(PolicySchema, digitsPolicy);
      bad.name = "typo";
      bad.rules[0]!.when = 'input.image.widht < 16';
      const error = await failure(system.registry.applyPolicy({ policy: bad }));
      expect(error.code).toBe(Code.INVALID_ARGUMENT);
      expect(error.reason).toBe("POLICY_INVALID");
      expect(error.metadata).toMatchObject({ field: "policy.rules[0].when", line: "1", column: "13" });
      expect((await failure(system.registry.getPolicy({ name: "typo" }))).code).toBe(Code.NOT_FOUND);
    });

    it("a request no policy routes: FAILED_PRECONDITION with the reason", async () => {
      const error = await failure(system.router.infer({ payload: { kind: { case: "text", value: "bonjour tout le monde" } } }));
      expect(error.code).toBe(Code.FAILED_PRECONDITION);
      expect(error.reason).toBe("NO_ROUTE");
    });

    it("feedback for an unknown request: NOT_FOUND", async () => {
      const error = await failure(system.router.submitFeedback({ requestId: "never-seen", feedback: { case: "label", value: "1" } }));
      expect(error.code).toBe(Code.NOT_FOUND);
    });

    it("a deadline too short to route: DEADLINE_EXCEEDED", async () => {
      const error = await failure(system.router.infer(imageRequest(mnist[0]!), { timeoutMs: 1 }));
      expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
    });

    it("bytes that are not a protobuf message: INVALID_ARGUMENT naming the field at fault, and no process goes down", async () => {
      const client = new grpc.Client(system.routerAddress, grpc.credentials.createInsecure());
      const error = await new Promise<grpc.ServiceError | null>((resolve) => {
        client.makeUnaryRequest(
          "/modelrouter.router.v1.RouterService/Infer",
          () => Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x12]),
          (bytes: Buffer) => bytes,
          {},
          (e) => resolve(e),
        );
      });
      client.close();
      expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error?.details).toContain("request_id: is truncated or malformed");
      expect(await system.allServing()).toBe(true);
    });
  });
});
