import { describe, expect, it } from "@jest/globals";
import { Modality, ModelStatus, type Model, type Target } from "@modelrouter/contracts";
import { loadDemoModels, loadDemoPolicies } from "./index.js";

/** Kubernetes-style selection: every match label present with the same value. */
function selects(target: Target, model: Model): boolean {
  if (target.kind.case === "model") return target.kind.value.name === model.name;
  if (target.kind.case !== "selector") return false;
  return Object.entries(target.kind.value.matchLabels).every(([k, v]) => model.labels[k] === v);
}

describe("loadDemoModels", () => {
  it("parses every catalogue YAML file as a registry Model of an ONNX digit classifier", () => {
    const models = loadDemoModels();
    expect(models.map((m) => m.name)).toEqual([
      "digits-general",
      "digits-general-degraded",
      "digits-lite",
      "digits-lowres-specialist",
    ]);
    for (const m of models) {
      expect(m.version).toBe("1");
      expect(m.task).toBe("digit-classification");
      expect(m.modality).toBe(Modality.IMAGE);
      expect(m.backend?.kind.case).toBe("onnx");
      const onnx = m.backend?.kind.value;
      expect(onnx?.uri).toBe(`${m.name}/model.onnx`);
      expect(onnx?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(onnx?.preprocessing?.kind.case).toBe("image");
      expect(onnx?.postprocessing?.kind.value?.labels).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
      expect(m.metrics?.accuracy).toBeGreaterThan(0.8);
      expect(m.metrics?.evaluationSamples).toBeGreaterThan(0);
    }
  });

  it("meets the accuracy targets: the CNN and the low-res specialist at least 95 %, the lite MLP below the CNN", () => {
    const accuracy = Object.fromEntries(loadDemoModels().map((m) => [m.name, m.metrics?.accuracy ?? 0]));
    expect(accuracy["digits-general"]).toBeGreaterThanOrEqual(0.95);
    expect(accuracy["digits-lowres-specialist"]).toBeGreaterThanOrEqual(0.95);
    expect(accuracy["digits-lite"]).toBeLessThan(accuracy["digits-general"] ?? 0);
    expect(accuracy["digits-general-degraded"]).toBeLessThan((accuracy["digits-general"] ?? 0) - 0.05);
  });
});

describe("loadDemoPolicies", () => {
  it("parses the digits policy with its rules in order and a label-selector default route", () => {
    const [policy, ...others] = loadDemoPolicies();
    expect(others).toEqual([]);
    expect(policy?.name).toBe("digits");
    expect(policy?.priority).toBe(100);
    expect(policy?.when).toBe('input.modality == "image"');
    expect(policy?.rules.map((r) => r.name)).toEqual(["lowres-scans", "tiny-images", "free-tier"]);
    expect(policy?.defaultRoute?.targets[0]?.kind.case).toBe("selector");
  });

  it("names only catalogue models, and its default selector picks digits-general but never the degraded copy", () => {
    const models = loadDemoModels();
    const policy = loadDemoPolicies()[0];
    const routes = [...(policy?.rules.map((r) => r.route) ?? []), policy?.defaultRoute];
    for (const route of routes) {
      for (const target of [...(route?.targets ?? []), ...(route?.fallbacks ?? [])]) {
        expect(models.some((m) => selects(target, m))).toBe(true);
      }
    }
    const selector = policy?.defaultRoute?.targets[0];
    const selected = models.filter((m) => selector !== undefined && selects(selector, m));
    expect(selected.map((m) => m.name)).toEqual(["digits-general"]);
    expect(models.find((m) => m.name === "digits-general-degraded")?.status).toBe(ModelStatus.STAGING);
  });
});
