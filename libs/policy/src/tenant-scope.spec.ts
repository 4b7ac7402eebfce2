import { describe, expect, it } from "@jest/globals";
import { CandidateRole, type Model } from "@modelrouter/contracts";
import { type CompiledPolicy, createModelCatalogue, evaluatePolicies, explainPolicies, type EvaluationResult } from "./index.js";
import { NOON, compiled, imageInput, model, modelTarget, noRandom, requestContext, selectorTarget } from "./policy-fixtures.test-support.js";

const shared = model("shared", "1", { labels: { family: "digits" } });
const acmeOwn = model("acme-tuned", "1", { labels: { family: "digits" }, tenant: "acme" });
const globexOwn = model("globex-tuned", "1", { labels: { family: "digits" }, tenant: "globex" });
const catalogue = [shared, acmeOwn, globexOwn];

function decide(policies: CompiledPolicy[], tenant: string, models: readonly Model[] = catalogue): EvaluationResult {
  return evaluatePolicies({
    policies,
    catalogue: createModelCatalogue(models, 1n),
    profile: imageInput(),
    context: requestContext({ tenant }),
    now: NOON,
    random: noRandom,
  });
}

function skipped(result: EvaluationResult): string[] {
  return (result.decision.explanation?.candidates ?? [])
    .filter((c) => c.role === CandidateRole.REJECTED)
    .map((c) => `${c.model?.name}: ${c.reason}`);
}

const everyDigitsModel = compiled({ name: "every-digits-model", defaultRoute: { targets: [selectorTarget({ family: "digits" })] } });
const acmePolicy = compiled({ name: "acme-first", tenant: "acme", priority: 10, defaultRoute: { targets: [modelTarget("acme-tuned")] } });
const sharedNaming = compiled({ name: "names-acme-model", defaultRoute: { targets: [modelTarget("acme-tuned")], fallbacks: [modelTarget("shared")] } });

describe("tenant-scoped policies", () => {
  it("apply only to their tenant's requests", () => {
    expect(decide([everyDigitsModel, acmePolicy], "acme").decision.policy).toBe("acme-first");
    expect(decide([everyDigitsModel, acmePolicy], "globex").decision.policy).toBe("every-digits-model");
    expect(decide([everyDigitsModel, acmePolicy], "").decision.policy).toBe("every-digits-model");
  });

  it("are left out of another tenant's explanation, and cannot be pinned by it", () => {
    const outcome = explainPolicies({
      policies: [everyDigitsModel, acmePolicy],
      catalogue,
      profile: imageInput(),
      context: requestContext({ tenant: "globex" }),
      now: NOON,
      random: noRandom,
    });
    expect(JSON.stringify(outcome.kind === "decided" ? outcome.result.decision.explanation : outcome.explanation)).not.toContain("acme");
    expect(() =>
      evaluatePolicies({ policies: [everyDigitsModel, acmePolicy], catalogue, profile: imageInput(), context: requestContext({ tenant: "globex", policy: "acme-first" }), now: NOON, random: noRandom }),
    ).toThrow(/policy "acme-first" \(named by context\.policy\) is not loaded/);
  });
});

describe("tenant-scoped models", () => {
  it("are candidates of a selector only for their tenant's requests; others never see them", () => {
    const forAcme = decide([everyDigitsModel], "acme");
    expect([forAcme.target.name, ...forAcme.fallbacks.map((m) => m.name)].sort()).toEqual(["acme-tuned", "shared"]);
    const forGlobex = decide([everyDigitsModel], "globex");
    expect(JSON.stringify(forGlobex.decision.explanation)).not.toContain("acme-tuned");
    const forNone = decide([everyDigitsModel], "");
    expect(forNone.target.name).toBe("shared");
    expect(JSON.stringify(forNone.decision.explanation)).not.toMatch(/acme-tuned|globex-tuned/);
  });

  it("named by a shared policy, are skipped for another tenant's requests with the reason, never naming the tenant", () => {
    expect(decide([sharedNaming], "acme").target.name).toBe("acme-tuned");
    const forGlobex = decide([sharedNaming], "globex");
    expect(forGlobex.target.name).toBe("shared");
    expect(skipped(forGlobex)).toEqual(["acme-tuned: serves only another tenant's requests"]);
    expect(skipped(decide([sharedNaming], ""))).toEqual(["acme-tuned: serves only its tenant's requests; this request has no tenant"]);
  });

  it("are never another tenant's shadow", () => {
    const mirroring = compiled({ name: "mirror", defaultRoute: { targets: [modelTarget("shared")], shadows: [{ model: { name: "acme-tuned", version: "" } }] } });
    expect(decide([mirroring], "acme").decision.shadows.map((s) => s.model?.name)).toEqual(["acme-tuned"]);
    const forGlobex = decide([mirroring], "globex");
    expect(forGlobex.decision.shadows).toEqual([]);
    expect((forGlobex.decision.explanation?.candidates ?? []).map((c) => c.reason)).toContain("shadow skipped: serves only another tenant's requests");
  });

  it("leave a catalogue without them decided as before, for any tenant", () => {
    const plain = [model("shared", "1", { labels: { family: "digits" } })];
    expect(decide([everyDigitsModel], "acme", plain).decision).toEqual(decide([everyDigitsModel], "globex", plain).decision);
  });
});
