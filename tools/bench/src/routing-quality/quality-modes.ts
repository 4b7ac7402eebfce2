import type { JsonObject } from "@bufbuild/protobuf";

/** The digit models the workload is routed among, with their compute cost per request (model-card p50, µs). */
export const QUALITY_MODELS = [
  { name: "digits-general", costUs: 25.1 },
  { name: "digits-lite", costUs: 10.8 },
  { name: "digits-lowres-specialist", costUs: 9.5 },
] as const;

/** How a routing mode is run: its policy, and whether it learns from a stream before it is measured. */
export interface QualityMode {
  /** The mode's name in the report. */
  readonly name: string;
  /** The policy (protobuf JSON) that serves the mode, applied under `policy.name`. */
  readonly policy: JsonObject;
  /** Whether the mode is sent the learning stream (with feedback) before the evaluation stream. */
  readonly learns: boolean;
}

const targets = QUALITY_MODELS.map((m) => ({ model: { name: m.name } }));
const when = 'request.metadata["bench"] == "routing-quality"';

/** A policy that sends everything to one model. */
export function singleModelMode(model: string): QualityMode {
  return { name: `single: ${model}`, learns: false, policy: { name: `quality-single-${model}`, when, defaultRoute: { targets: [{ model: { name: model } }] } } };
}

/** The hand-written rules of the demo policy: scans (by metadata, or by size) to the specialist, the rest to digits-general. */
export const RULE_BASED_MODE: QualityMode = {
  name: "rule-based policy",
  learns: false,
  policy: {
    name: "quality-rules",
    when,
    rules: [
      {
        name: "lowres-scans",
        when: '"image_type" in request.metadata && request.metadata["image_type"] == "lowres_scan"',
        route: { targets: [{ model: { name: "digits-lowres-specialist" } }] },
      },
      { name: "tiny-images", when: "input.image.width <= 16 && input.image.height <= 16", route: { targets: [{ model: { name: "digits-lowres-specialist" } }] } },
    ],
    defaultRoute: { targets: [{ model: { name: "digits-general" } }] },
  },
};

/** Thompson sampling over the three models, no rules and no features. */
export const BANDIT_MODE: QualityMode = {
  name: "bandit, no rules",
  learns: true,
  policy: { name: "quality-bandit", when, defaultRoute: { targets, strategy: "STRATEGY_BANDIT", bandit: {} } },
};

/** Linear Thompson sampling over features of the request the operator declares, no rules. */
export const CONTEXTUAL_BANDIT_MODE: QualityMode = {
  name: "contextual bandit, no rules",
  learns: true,
  policy: {
    name: "quality-contextual",
    when,
    defaultRoute: {
      targets,
      strategy: "STRATEGY_BANDIT",
      bandit: {
        features: [
          "input.image.width <= 16",
          '"image_type" in request.metadata && request.metadata["image_type"] == "lowres_scan"',
        ],
      },
    },
  },
};

/** The metadata every benchmark request carries, so that only the benchmark's policies apply. */
export const QUALITY_METADATA = { bench: "routing-quality" } as const;
