import { create } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { CandidateRole, InputProfileSchema, Modality, ModelStatus, PolicySchema } from "@modelrouter/contracts";
import { ErrorReason } from "@modelrouter/errors";
import { Code } from "@modelrouter/rpc-kit";
import {
  type TestEngine,
  type TestRegistry,
  defaultRoutePolicy,
  eventually,
  logged,
  modelInit,
  rpcFailure,
  startEngine,
  startRegistry,
  targetOf,
} from "./decision.test-support.js";

jest.setTimeout(60_000);

const image = create(InputProfileSchema, { modality: Modality.IMAGE, mimeType: "image/png", image: { width: 8, height: 8 } });
const text = create(InputProfileSchema, { modality: Modality.TEXT, mimeType: "text/plain" });

describe("DecisionService on a live registry", () => {
  let registry: TestRegistry;
  let engine: TestEngine;

  beforeEach(async () => {
    registry = await startRegistry();
  });

  afterEach(async () => {
    await engine?.close();
    await registry.close();
  });

  /** Waits until the engine has seen the registry's latest write. */
  async function caughtUp(): Promise<void> {
    const revision = await registry.store.revision();
    await eventually(() => {
      const seen = engine.sync.snapshot()?.revision ?? -1n;
      if (seen < revision) throw new Error(`the engine is at revision ${seen}, the registry at ${revision}`);
    });
  }

  it("decides on the registry's models and policies once both are loaded", async () => {
    await registry.client.registerModel({ model: modelInit("digits-lowres", "1") });
    await registry.client.registerModel({ model: modelInit("digits-general", "2") });
    const applied = await registry.client.applyPolicy({
      policy: {
        name: "digits",
        rules: [
          {
            name: "lowres",
            when: 'input.modality == "image" && input.image.width <= 16',
            route: {
              targets: [{ kind: { case: "model", value: { name: "digits-lowres" } } }],
              fallbacks: [{ kind: { case: "model", value: { name: "digits-general" } } }],
            },
          },
        ],
      },
    });
    engine = startEngine(registry.client);
    await engine.sync.ready;

    const { decision } = await engine.client.decide({ profile: image, context: { requestId: "r-1" } });
    expect(decision?.target?.model).toEqual(expect.objectContaining({ name: "digits-lowres", version: "1" }));
    expect(decision?.target?.backend?.kind).toEqual({
      case: "onnx",
      value: expect.objectContaining({ uri: "digits-lowres-1.onnx" }),
    });
    expect(decision?.fallbacks.map((f) => f.model?.name)).toEqual(["digits-general"]);
    expect(decision?.policy).toBe("digits");
    expect(decision?.policyRevision).toBe(applied.policy?.revision);
    expect(decision?.rule).toBe("lowres");
    expect(decision?.catalogueRevision).toBe(await registry.store.revision());
    expect(decision?.explanation?.candidates.map((c) => c.role)).toEqual([CandidateRole.TARGET, CandidateRole.FALLBACK]);
    expect(logged(engine.logs, "catalogue loaded")).toEqual([
      expect.objectContaining({ models: 2, policies: 1, revision: String(await registry.store.revision()) }),
    ]);
  });

  it("follows changes: a new policy of higher priority takes over, and a deleted one lets go", async () => {
    await registry.client.registerModel({ model: modelInit("a", "1") });
    await registry.client.registerModel({ model: modelInit("b", "1") });
    await registry.client.applyPolicy({ policy: defaultRoutePolicy("base", ["a"]) });
    engine = startEngine(registry.client);
    await engine.sync.ready;
    expect(targetOf(await engine.client.decide({ profile: image }))).toBe("a@1");

    await registry.client.applyPolicy({ policy: defaultRoutePolicy("override", ["b"], { priority: 5 }) });
    await caughtUp();
    expect(targetOf(await engine.client.decide({ profile: image }))).toBe("b@1");

    await registry.client.deletePolicy({ name: "override" });
    await caughtUp();
    expect(targetOf(await engine.client.decide({ profile: image }))).toBe("a@1");
  });

  it("follows model changes: a new version, a retired target, a deregistered model", async () => {
    await registry.client.registerModel({ model: modelInit("a", "1") });
    await registry.client.registerModel({ model: modelInit("b", "1") });
    await registry.client.applyPolicy({
      policy: {
        name: "p",
        defaultRoute: {
          targets: [{ kind: { case: "model", value: { name: "a" } } }],
          fallbacks: [{ kind: { case: "model", value: { name: "b" } } }],
        },
      },
    });
    engine = startEngine(registry.client);
    await engine.sync.ready;

    await registry.client.registerModel({ model: modelInit("a", "2") });
    await caughtUp();
    expect(targetOf(await engine.client.decide({ profile: image }))).toBe("a@2");

    for (const version of ["1", "2"]) {
      await registry.client.updateModel({
        model: { name: "a", version, status: ModelStatus.RETIRED },
        updateMask: { paths: ["status"] },
      });
    }
    await caughtUp();
    const fallback = await engine.client.decide({ profile: image });
    expect(targetOf(fallback)).toBe("b@1");
    expect(fallback.decision?.explanation?.candidates[0]?.reason).toContain("no active or deprecated version");

    await registry.client.deregisterModel({ name: "b" });
    await caughtUp();
    const failure = await rpcFailure(engine.client.decide({ profile: image }));
    expect(failure.code).toBe(Code.FAILED_PRECONDITION);
    expect(failure.reason).toBe(ErrorReason.NO_SERVABLE_MODEL);
    expect(failure.message).toContain("b (default_route.fallbacks[0]): not registered");
  });

  it("skips, and logs, a stored policy that no longer compiles", async () => {
    await registry.client.registerModel({ model: modelInit("a", "1") });
    await registry.client.applyPolicy({ policy: defaultRoutePolicy("good", ["a"]) });
    const broken = create(PolicySchema, {
      name: "broken",
      priority: 9,
      rules: [{ name: "r", when: "input.image.widht > 3", route: { targets: [{ kind: { case: "model", value: { name: "a" } } }] } }],
    });
    await registry.store.putPolicy(broken, { validateOnly: false });
    engine = startEngine(registry.client);
    await engine.sync.ready;

    expect(engine.sync.snapshot()?.policies.map((p) => p.name)).toEqual(["good"]);
    expect((await engine.client.decide({ profile: image })).decision?.policy).toBe("good");
    expect(logged(engine.logs, "a stored policy does not compile; it is skipped")).toEqual([
      expect.objectContaining({
        level: "error",
        policy: "broken",
        violations: [expect.stringContaining("rules[0].when: No such key: widht")],
      }),
    ]);
  });

  it("rejects a request without a profile, naming the field", async () => {
    await registry.client.registerModel({ model: modelInit("a", "1") });
    await registry.client.applyPolicy({ policy: defaultRoutePolicy("p", ["a"]) });
    engine = startEngine(registry.client);
    await engine.sync.ready;
    const failure = await rpcFailure(engine.client.decide({}));
    expect(failure.code).toBe(Code.INVALID_ARGUMENT);
    expect(failure.violations).toEqual([{ field: "profile", description: expect.stringContaining("is required") }]);
  });

  it("reports NO_ROUTE, POLICY_NOT_FOUND and a modality mismatch with their codes", async () => {
    await registry.client.registerModel({ model: modelInit("a", "1") });
    await registry.client.applyPolicy({ policy: defaultRoutePolicy("images", ["a"], { when: 'input.modality == "image"' }) });
    engine = startEngine(registry.client);
    await engine.sync.ready;

    const noRoute = await rpcFailure(engine.client.decide({ profile: text }));
    expect([noRoute.code, noRoute.reason]).toEqual([Code.FAILED_PRECONDITION, ErrorReason.NO_ROUTE]);
    expect(noRoute.message).toContain('policy "images" does not apply: its when is false');

    const pinned = await rpcFailure(engine.client.decide({ profile: image, context: { policy: "ghost" } }));
    expect([pinned.code, pinned.reason, pinned.metadata]).toEqual([Code.NOT_FOUND, ErrorReason.POLICY_NOT_FOUND, { policy: "ghost" }]);

    await registry.client.applyPolicy({ policy: defaultRoutePolicy("everything", ["a"]) });
    await caughtUp();
    const mismatch = await rpcFailure(engine.client.decide({ profile: text }));
    expect(mismatch.reason).toBe(ErrorReason.NO_SERVABLE_MODEL);
    expect(mismatch.message).toContain("a@1 (default_route.targets[0]): accepts image; input is text");
  });

  it("resumes from the last revision when its watch streams end, reloading nothing", async () => {
    await registry.client.registerModel({ model: modelInit("a", "1") });
    await registry.client.applyPolicy({ policy: defaultRoutePolicy("p", ["a"]) });
    engine = startEngine(registry.client, { watchTimeoutMs: 150 });
    await engine.sync.ready;
    await eventually(() => expect(logged(engine.logs, "watch stream ended; resuming").length).toBeGreaterThanOrEqual(4));

    await registry.client.registerModel({ model: modelInit("a", "2") });
    await caughtUp();
    expect(targetOf(await engine.client.decide({ profile: image }))).toBe("a@2");
    expect(logged(engine.logs, "catalogue loaded")).toHaveLength(1);
    const resumes = logged(engine.logs, "watch stream ended; resuming");
    expect(resumes.every((line) => BigInt(String(line["sinceRevision"])) > 0n)).toBe(true);
  });

  it("close() stops following the registry and keeps the last snapshot", async () => {
    await registry.client.registerModel({ model: modelInit("a", "1") });
    await registry.client.applyPolicy({ policy: defaultRoutePolicy("p", ["a"]) });
    engine = startEngine(registry.client);
    await engine.sync.ready;
    await engine.close();
    const revision = engine.sync.snapshot()?.revision;
    await registry.client.registerModel({ model: modelInit("a", "2") });
    expect(engine.sync.snapshot()?.revision).toBe(revision);
    expect(targetOf(await engine.client.decide({ profile: image }))).toBe("a@1");
  });
});

