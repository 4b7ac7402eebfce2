import { describe, expect, it } from "@jest/globals";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { CandidateRole, Modality, type Model, ModelStatus, type ShadowSchema } from "@modelrouter/contracts";
import { type CompiledPolicy, compilePolicy, createModelCatalogue, evaluatePolicies, type EvaluationResult } from "./index.js";
import {
  NOON,
  compiled,
  imageInput,
  model,
  modelTarget,
  noRandom,
  policy,
  selectorTarget,
} from "./policy-fixtures.test-support.js";
import { seededRandom } from "./strategy-fixtures.test-support.js";

type ShadowInit = MessageInitShape<typeof ShadowSchema>;

function shadow(name: string, share?: number, version = ""): ShadowInit {
  return { model: { name, version }, ...(share === undefined ? {} : { share }) };
}

/** A policy whose default route serves model a (fallback b) and mirrors to `shadows`. */
function shadowing(shadows: ShadowInit[]) {
  return policy({ name: "mirror", defaultRoute: { targets: [modelTarget("a")], fallbacks: [modelTarget("b")], shadows } });
}

function problems(shadows: ShadowInit[]): string[] {
  const result = compilePolicy(shadowing(shadows));
  return result.kind === "invalid" ? result.violations.map((v) => `${v.field}: ${v.description}`) : [];
}

const catalogue = [model("a", "1"), model("b", "1"), model("s", "1"), model("s", "2"), model("t", "1")];

function decide(shadows: ShadowInit[] | CompiledPolicy, models: readonly Model[] = catalogue, random = noRandom): EvaluationResult {
  return evaluatePolicies({
    policies: [Array.isArray(shadows) ? compiled(shadowing(shadows)) : shadows],
    catalogue: createModelCatalogue(models, 1n),
    profile: imageInput(),
    now: NOON,
    random,
  });
}

function mirrored(result: EvaluationResult): string[] {
  return result.decision.shadows.map((s) => `${s.model?.name}@${s.model?.version}`);
}

function shadowNotes(result: EvaluationResult): string[] {
  return (result.decision.explanation?.candidates ?? [])
    .filter((c) => c.reason.startsWith("shadow"))
    .map((c) => `${c.model?.name}:${CandidateRole[c.role]}:${c.reason}`);
}

describe("shadows", () => {
  describe("validation", () => {
    it("accepts a shadow with a share in (0, 1] or none", () => {
      expect(problems([shadow("s", 0.25), shadow("t")])).toEqual([]);
      expect(problems([shadow("s", 1)])).toEqual([]);
    });

    it.each([0, -0.5, 1.5, Number.NaN])("rejects a share of %p with its path and the allowed range", (share) => {
      const found = problems([shadow("s", share)]);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^default_route\.shadows\[0\]\.share: .*(above 0|at most 1|not a number)/);
    });

    it("rejects a shadow that is also a target or a fallback of the route", () => {
      expect(problems([shadow("a")])).toEqual([expect.stringMatching(/^default_route\.shadows\[0\]\.model\.name: .*targets\[0\]/)]);
      expect(problems([shadow("b")])).toEqual([expect.stringMatching(/^default_route\.shadows\[0\]\.model\.name: .*fallbacks\[0\]/)]);
    });

    it("rejects the same model shadowed twice", () => {
      expect(problems([shadow("s"), shadow("s", 0.5)])).toEqual([
        expect.stringMatching(/^default_route\.shadows\[1\]\.model\.name: .*already at shadows\[0\]/),
      ]);
    });

    it("rejects more than four shadows, and a shadow without a model or with a bad name or version", () => {
      const five = ["s", "t", "u", "v", "w"].map((n) => shadow(n));
      expect(problems(five)).toEqual([expect.stringMatching(/^default_route\.shadows: .*at most 4/)]);
      expect(problems([{ share: 0.5 }])).toEqual([expect.stringMatching(/^default_route\.shadows\[0\]\.model: is required/)]);
      expect(problems([shadow("Bad_Name")])).toEqual([expect.stringMatching(/^default_route\.shadows\[0\]\.model\.name: /)]);
      expect(problems([shadow("s", 1, "-1")])).toEqual([expect.stringMatching(/^default_route\.shadows\[0\]\.model\.version: /)]);
    });
  });

  describe("evaluation", () => {
    it("mirrors to the shadow's highest active version, and explains it with the SHADOW role", () => {
      const result = decide([shadow("s")]);
      expect(result.decision.target?.model?.name).toBe("a");
      expect(mirrored(result)).toEqual(["s@2"]);
      expect(shadowNotes(result)).toEqual(["s:SHADOW:shadow (every request): mirrored, compared, never returned"]);
    });

    it("mirrors to a named version when the shadow names one", () => {
      expect(mirrored(decide([shadow("s", 1, "1")]))).toEqual(["s@1"]);
    });

    it("skips a shadow that cannot serve, with its reason, without failing the decision", () => {
      const models = [...catalogue.filter((m) => m.name !== "s" && m.name !== "t"), model("t", "1", { modality: Modality.TEXT })];
      const result = decide([shadow("s"), shadow("t")], models);
      expect(result.decision.target?.model?.name).toBe("a");
      expect(mirrored(result)).toEqual([]);
      expect(shadowNotes(result)).toEqual([
        "s:REJECTED:shadow skipped: not registered",
        expect.stringMatching(/^t:REJECTED:shadow skipped: accepts text/),
      ]);
    });

    it("skips a retired pinned version as a target would be", () => {
      const models = [...catalogue, model("s", "3", { status: ModelStatus.RETIRED })];
      expect(shadowNotes(decide([shadow("s", 1, "3")], models))).toEqual(["s:REJECTED:shadow skipped: retired: never served"]);
    });

    it("skips a shadow that a selector made one of the serving models", () => {
      const labelled = catalogue.map((m) => (m.name === "s" ? model("s", m.version, { labels: { tier: "x" } }) : m));
      const withSelector = policy({
        name: "mirror",
        defaultRoute: { targets: [modelTarget("a")], fallbacks: [selectorTarget({ tier: "x" })], shadows: [shadow("s")] },
      });
      const result = evaluatePolicies({
        policies: [compiled(withSelector)],
        catalogue: createModelCatalogue(labelled, 1n),
        profile: imageInput(),
        now: NOON,
        random: noRandom,
      });
      expect(mirrored(result)).toEqual([]);
      expect(shadowNotes(result)).toEqual(["s:REJECTED:shadow skipped: the model already serves this request"]);
    });

    it("explains a shadow that this request was not sampled for", () => {
      const result = decide([shadow("s", 0.3)], catalogue, () => 0.9);
      expect(mirrored(result)).toEqual([]);
      expect(shadowNotes(result)).toEqual(["s:NOT_CHOSEN:shadow (share 0.3): this request was not sampled"]);
    });

    it("mirrors each shadow's share of requests, within 2 points over 10k requests", () => {
      const random = seededRandom(2024);
      const counts = { s: 0, t: 0 };
      const n = 10_000;
      const sampled = compiled(shadowing([shadow("s", 0.3), shadow("t", 0.05)]));
      for (let i = 0; i < n; i++) {
        for (const name of mirrored(decide(sampled, catalogue, random))) {
          counts[name.split("@")[0] as "s" | "t"] += 1;
        }
      }
      expect(Math.abs(counts.s / n - 0.3)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(counts.t / n - 0.05)).toBeLessThanOrEqual(0.02);
    });

    it("draws no random number for routes without sampled shadows", () => {
      let draws = 0;
      const counting = () => {
        draws += 1;
        return 0;
      };
      decide([shadow("s")], catalogue, counting);
      decide([], catalogue, counting);
      expect(draws).toBe(0);
    });
  });
});
