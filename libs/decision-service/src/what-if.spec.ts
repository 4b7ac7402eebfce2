import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { type DecideRequestSchema, InputProfileSchema, Modality, type PolicySchema } from "@modelrouter/contracts";
import { ErrorReason } from "@modelrouter/errors";
import { Code } from "@modelrouter/rpc-kit";
import {
  type TestEngine,
  type TestRegistry,
  defaultRoutePolicy,
  eventually,
  modelInit,
  rpcFailure,
  startEngine,
  startRegistry,
  targetOf,
} from "./decision.test-support.js";

jest.setTimeout(60_000);

const image = create(InputProfileSchema, { modality: Modality.IMAGE, mimeType: "image/png", image: { width: 28, height: 28 } });

type PolicyInit = MessageInitShape<typeof PolicySchema>;
type DecideInit = MessageInitShape<typeof DecideRequestSchema>;

const draft = (policy: PolicyInit): DecideInit["whatIf"] => ({ kind: { case: "policy", value: policy } });
const revision = (name: string, at: bigint): DecideInit["whatIf"] => ({ kind: { case: "revision", value: { name, revision: at } } });

describe("a what-if Decide: an unsaved policy body or a stored revision in place of the applied policy", () => {
  let registry: TestRegistry;
  let engine: TestEngine;

  beforeEach(async () => {
    registry = await startRegistry();
    await registry.client.registerModel({ model: modelInit("digits-general", "1") });
    await registry.client.registerModel({ model: modelInit("digits-lowres", "1") });
    engine = startEngine(registry.client);
  });

  afterEach(async () => {
    await engine.close();
    await registry.close();
  });

  /** Applies a policy and waits until the engine decides with it; returns its revision. */
  async function apply(policy: PolicyInit): Promise<bigint> {
    const applied = await registry.client.applyPolicy({ policy });
    const at = applied.policy!.revision;
    await eventually(() => {
      if ((engine.sync.snapshot()?.revision ?? -1n) < at) throw new Error("the engine has not seen the apply yet");
    });
    return at;
  }

  it("decides with an unsaved body, reports it as a draft of revision 0, and stores nothing", async () => {
    const appliedAt = await apply(defaultRoutePolicy("digits", ["digits-general"]));
    const registryRevision = await registry.store.revision();

    const whatIf = await engine.client.decide({ profile: image, whatIf: draft(defaultRoutePolicy("digits", ["digits-lowres"])) });

    expect(targetOf(whatIf)).toBe("digits-lowres@1");
    expect(whatIf.decision?.policy).toBe("digits");
    expect(whatIf.decision?.policyRevision).toBe(0n);
    expect(whatIf.decision?.explanation?.summary).toBe('what-if (draft of policy "digits"): policy "digits" default route chose digits-lowres@1');
    // The applied policy still routes every other request, and the registry did not change.
    const applied = await engine.client.decide({ profile: image });
    expect([targetOf(applied), applied.decision?.policyRevision]).toEqual(["digits-general@1", appliedAt]);
    expect(await registry.store.revision()).toBe(registryRevision);
    expect((await registry.client.getPolicy({ name: "digits" })).policy?.revision).toBe(appliedAt);
  });

  it("evaluates a draft with a new name beside the applied policies, by priority", async () => {
    await apply(defaultRoutePolicy("digits", ["digits-general"], { priority: 10 }));

    const first = await engine.client.decide({
      profile: image,
      whatIf: draft(defaultRoutePolicy("digits-canary", ["digits-lowres"], { priority: 20 })),
    });
    expect([targetOf(first), first.decision?.policy]).toEqual(["digits-lowres@1", "digits-canary"]);

    const behind = await engine.client.decide({
      profile: image,
      whatIf: draft(defaultRoutePolicy("digits-canary", ["digits-lowres"], { priority: 5 })),
    });
    expect([targetOf(behind), behind.decision?.policy]).toEqual(["digits-general@1", "digits"]);
    expect(behind.decision?.explanation?.summary).toMatch(/^what-if \(draft of policy "digits-canary"\): policy "digits" default route/);
  });

  it("refuses a draft that does not compile with INVALID_ARGUMENT, every problem at its path under what_if.policy", async () => {
    await apply(defaultRoutePolicy("digits", ["digits-general"]));

    const error = await rpcFailure(
      engine.client.decide({
        profile: image,
        whatIf: draft({
          name: "digits",
          rules: [
            { name: "typo", when: 'input.modalty == "image"', route: { targets: [{ kind: { case: "model", value: { name: "digits-lowres" } } }] } },
            { name: "no-route", when: "true" },
          ],
        }),
      }),
    );

    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.reason).toBe(ErrorReason.INVALID_FIELD);
    expect(error.message).toContain('the what-if policy "digits" does not compile');
    expect(error.violations.map((v) => v.field)).toEqual(["what_if.policy.rules[0].when", "what_if.policy.rules[1].route"]);
    expect(error.violations[0]?.description).toMatch(/^line 1, column \d+: .*modalty/);
  });

  it("explains a stored revision: the old routing, after a new apply replaced it", async () => {
    const old = await apply(defaultRoutePolicy("digits", ["digits-general"]));
    const current = await apply(defaultRoutePolicy("digits", ["digits-lowres"]));
    expect(targetOf(await engine.client.decide({ profile: image }))).toBe("digits-lowres@1");

    const explained = await engine.client.decide({ profile: image, whatIf: revision("digits", old) });

    expect(targetOf(explained)).toBe("digits-general@1");
    expect(explained.decision?.policyRevision).toBe(old);
    expect(explained.decision?.explanation?.summary).toBe(
      `what-if (revision ${old} of policy "digits"): policy "digits" default route chose digits-general@1`,
    );
    const now = await engine.client.decide({ profile: image });
    expect([targetOf(now), now.decision?.policyRevision]).toEqual(["digits-lowres@1", current]);
  });

  it("names an unknown revision or policy with NOT_FOUND", async () => {
    await apply(defaultRoutePolicy("digits", ["digits-general"]));

    const unknownRevision = await rpcFailure(engine.client.decide({ profile: image, whatIf: revision("digits", 999n) }));
    expect([unknownRevision.code, unknownRevision.reason]).toEqual([Code.NOT_FOUND, ErrorReason.POLICY_NOT_FOUND]);
    expect(unknownRevision.message).toContain('what_if.revision: policy "digits" has no revision 999');
    expect(unknownRevision.metadata).toMatchObject({ field: "what_if.revision", policy: "digits", revision: "999" });

    const unknownPolicy = await rpcFailure(engine.client.decide({ profile: image, whatIf: revision("nope", 1n) }));
    expect(unknownPolicy.code).toBe(Code.NOT_FOUND);
    expect(unknownPolicy.message).toContain('policy "nope" has no revision 1');
  });

  it("refuses a malformed revision reference, an empty override and a pin on another policy, naming the field", async () => {
    await apply(defaultRoutePolicy("digits", ["digits-general"]));
    const cases: [DecideInit, string][] = [
      [{ profile: image, whatIf: revision("", 0n) }, "what_if.revision.name,what_if.revision.revision"],
      [{ profile: image, whatIf: {} }, "what_if"],
      [{ profile: image, context: { policy: "text" }, whatIf: draft(defaultRoutePolicy("digits", ["digits-lowres"])) }, "context.policy"],
    ];
    for (const [request, fields] of cases) {
      const error = await rpcFailure(engine.client.decide(request));
      expect([error.code, error.violations.map((v) => v.field).join(",")]).toEqual([Code.INVALID_ARGUMENT, fields]);
    }
  });

  it("names the what-if policy in a failure to route", async () => {
    await apply(defaultRoutePolicy("digits", ["digits-general"]));

    const error = await rpcFailure(
      engine.client.decide({ profile: image, whatIf: draft(defaultRoutePolicy("digits", ["digits-missing"])) }),
    );

    expect(error.code).toBe(Code.FAILED_PRECONDITION);
    expect(error.reason).toBe(ErrorReason.NO_SERVABLE_MODEL);
    expect(error.message).toMatch(/^what-if \(draft of policy "digits"\): policy "digits" default route has no servable model/);
  });
});
