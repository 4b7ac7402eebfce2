import { describe, expect, it } from "@jest/globals";
import { Modality, ModelStatus, type Model, type Postprocessing, type Target } from "@modelrouter/contracts";
import { loadDemoModels, loadDemoPolicies } from "./index.js";

/** Kubernetes-style selection: every match label present with the same value. */
function selects(target: Target, model: Model): boolean {
  if (target.kind.case === "model") return target.kind.value.name === model.name;
  if (target.kind.case !== "selector") return false;
  return Object.entries(target.kind.value.matchLabels).every(([k, v]) => model.labels[k] === v);
}

/** The models of other modalities: task, modality, the labels the demo policies select on, and the preprocessing kind. */
const MODALITY_MODELS = [
  ["text-langid", "language-identification", Modality.TEXT, { domain: "language", size: "small" }, "text"],
  ["text-topic-lite", "topic-classification", Modality.TEXT, { domain: "topic", size: "small" }, "text"],
  ["text-topic", "topic-classification", Modality.TEXT, { domain: "topic", size: "medium" }, "text"],
  ["tabular-breast-cancer", "breast-cancer-diagnosis", Modality.TABULAR, { domain: "medical", size: "small" }, "tabular"],
  ["tabular-breast-cancer-large", "breast-cancer-diagnosis", Modality.TABULAR, { domain: "medical", size: "large" }, "tabular"],
  ["tabular-penguins", "penguin-species", Modality.TABULAR, { domain: "ecology", size: "small" }, "tabular"],
  ["sensor-fault-specialist", "machine-fault", Modality.TABULAR, { domain: "sensor", kind: "specialist" }, "series"],
  ["sensor-fault-general", "machine-fault", Modality.TABULAR, { domain: "sensor", kind: "general" }, "series"],
  ["audio-spoken-digits", "spoken-digit-classification", Modality.AUDIO, { domain: "speech", size: "small" }, "audio"],
] as const;

const modelNamed = (name: string): Model => {
  const model = loadDemoModels().find((m) => m.name === name);
  if (model === undefined) throw new Error(`no catalogue model ${name}`);
  return model;
};

describe("loadDemoModels", () => {
  it("parses every catalogue YAML file as a registry Model, ordered by name", () => {
    const names = loadDemoModels().map((m) => m.name);
    expect(names).toEqual(
      [
        "digits-general",
        "digits-general-degraded",
        "digits-lite",
        "digits-lowres-specialist",
        ...MODALITY_MODELS.map(([name]) => name),
      ].sort((a, b) => a.localeCompare(b, "en")),
    );
  });

  it("describes the four digit models as ONNX image classifiers", () => {
    const models = loadDemoModels().filter((m) => m.name.startsWith("digits-"));
    expect(models).toHaveLength(4);
    for (const m of models) {
      expect(m.version).toBe("1");
      expect(m.task).toBe("digit-classification");
      expect(m.modality).toBe(Modality.IMAGE);
      expect(m.backend?.kind.case).toBe("onnx");
      const onnx = m.backend?.kind.case === "onnx" ? m.backend.kind.value : undefined;
      expect(onnx?.uri).toBe(`${m.name}/model.onnx`);
      expect(onnx?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(onnx?.preprocessing?.kind.case).toBe("image");
      const post = onnx?.postprocessing?.kind;
      expect(post?.case === "classification" ? post.value.labels : []).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
      expect(m.metrics?.accuracy).toBeGreaterThan(0.8);
      expect(m.metrics?.evaluationSamples).toBeGreaterThan(0);
    }
  });

  it.each(MODALITY_MODELS)("describes %s: task %s, its modality, labels and preprocessing kind, active", (name, task, modality, labels, kind) => {
    const m = modelNamed(name);
    expect([m.version, m.task, m.modality, m.status]).toEqual(["1", task, modality, ModelStatus.ACTIVE]);
    expect(m.labels).toEqual(labels);
    const onnx = m.backend?.kind.case === "onnx" ? m.backend.kind.value : undefined;
    expect(onnx?.uri).toBe(`${name}/model.onnx`);
    expect(onnx?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(onnx?.preprocessing?.kind.case).toBe(kind);
    expect(onnx?.postprocessing?.kind.case).toBe("classification");
    expect(m.metrics?.dataset).toMatch(/-test$/);
    expect(m.metrics?.evaluationSamples).toBeGreaterThanOrEqual(100);
    expect(m.metrics?.accuracy).toBeGreaterThan(0.5);
  });

  it("labels the breast-cancer models' single logit benign (negative) then malignant (positive)", () => {
    for (const name of ["tabular-breast-cancer", "tabular-breast-cancer-large"]) {
      const post = postprocessingOf(modelNamed(name));
      expect(post?.case === "classification" ? post.value.labels : []).toEqual(["benign", "malignant"]);
    }
  });

  it("keeps the comparisons the routing demos rest on: stronger topic model, no gain from the large breast-cancer model, sensor specialist ahead", () => {
    const accuracy = (name: string): number => modelNamed(name).metrics?.accuracy ?? 0;
    expect(accuracy("text-topic")).toBeGreaterThan(accuracy("text-topic-lite"));
    expect(accuracy("tabular-breast-cancer-large")).toBeLessThanOrEqual(accuracy("tabular-breast-cancer"));
    expect(accuracy("sensor-fault-specialist")).toBeGreaterThan(accuracy("sensor-fault-general") + 0.05);
    expect(accuracy("text-langid")).toBeGreaterThanOrEqual(0.9);
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
  it("names, in every policy's rules and default route, only targets and fallbacks that select a catalogue model", () => {
    const models = loadDemoModels();
    for (const policy of loadDemoPolicies()) {
      for (const route of [...policy.rules.map((r) => r.route), policy.defaultRoute]) {
        for (const target of [...(route?.targets ?? []), ...(route?.fallbacks ?? [])]) {
          expect([policy.name, models.some((m) => selects(target, m))]).toEqual([policy.name, true]);
        }
      }
    }
  });

  it("parses the digits policy with its rules in order and a label-selector default route", () => {
    const policy = loadDemoPolicies().find((p) => p.name === "digits");
    expect(policy?.priority).toBe(100);
    expect(policy?.when).toBe('input.modality == "image"');
    expect(policy?.rules.map((r) => r.name)).toEqual(["lowres-scans", "tiny-images", "premium-tier", "free-tier"]);
    expect(policy?.defaultRoute?.targets[0]?.kind.case).toBe("selector");
  });

  it("names only catalogue models, and its default selector picks digits-general but never the degraded copy", () => {
    const models = loadDemoModels();
    const policy = loadDemoPolicies().find((p) => p.name === "digits");
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

/** The post-processing of an ONNX model's backend. */
function postprocessingOf(model: Model | undefined): Postprocessing["kind"] | undefined {
  const kind = model?.backend?.kind;
  return kind?.case === "onnx" ? kind.value.postprocessing?.kind : undefined;
}
