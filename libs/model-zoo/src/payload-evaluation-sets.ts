import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Modality } from "@modelrouter/contracts";
import { samplesDir } from "./paths.js";

/** The held-out sets of the text, tabular, sensor and audio models, stored as request payloads. */
export const PAYLOAD_EVALUATION_SET_NAMES = [
  "udhr-sentences-test",
  "fortunes-topics-test",
  "breast-cancer-test",
  "penguins-test",
  "vibration-test",
  "spoken-digits-test",
] as const;

/** One of {@link PAYLOAD_EVALUATION_SET_NAMES}. */
export type PayloadEvaluationSetName = (typeof PAYLOAD_EVALUATION_SET_NAMES)[number];

/** A payload as a client sends it: a text, a JSON record (parsed), or the bytes of a WAV file. */
export type EvaluationPayload = { readonly text: string } | { readonly json: unknown } | { readonly audio: Uint8Array };

/** Labelled request payloads never used in training: what a model card's held-out metrics are measured on. */
export interface PayloadEvaluationSet {
  readonly name: PayloadEvaluationSetName;
  readonly description: string;
  /** The modality the payloads are (the sensor records are JSON, MODALITY_TABULAR). */
  readonly modality: Modality;
  /** Every class label, in the models' output order. */
  readonly classes: readonly string[];
  /** The true label of each payload (one of `classes`). */
  readonly labels: readonly string[];
  readonly payloads: readonly EvaluationPayload[];
}

type StoredPayload = { text: string } | { json: unknown } | { audio: string };

interface StoredSet {
  name: string;
  description: string;
  modality: string;
  classes: string[];
  count: number;
  labels: string[];
  payloads: StoredPayload[];
}

function isStoredPayload(value: unknown): value is StoredPayload {
  if (typeof value !== "object" || value === null) return false;
  const p = value as Record<string, unknown>;
  return typeof p["text"] === "string" || "json" in p || typeof p["audio"] === "string";
}

/**
 * Reads a payload evaluation set (`samples/eval/<name>.json.gz`): the held-out split of one of the zoo's text,
 * tabular, sensor or audio datasets, each payload with its label. WAV files come back as bytes. Send a payload
 * as `{text}`, `{json}` (serialised) or `{audio: {data}}` to reproduce the catalogue's `metrics`.
 */
export function loadPayloadEvaluationSet(name: PayloadEvaluationSetName): PayloadEvaluationSet {
  const file = JSON.parse(gunzipSync(readFileSync(join(samplesDir(), "eval", `${name}.json.gz`))).toString("utf8")) as StoredSet;
  const modality = Modality[file.modality.replace(/^MODALITY_/, "") as keyof typeof Modality];
  const consistent =
    file.name === name &&
    modality !== undefined &&
    file.payloads.length === file.count &&
    file.labels.length === file.count &&
    file.labels.every((label) => file.classes.includes(label)) &&
    file.payloads.every(isStoredPayload);
  if (!consistent) throw new Error(`model-zoo evaluation set ${name} is inconsistent`);
  return {
    name,
    description: file.description,
    modality,
    classes: file.classes,
    labels: file.labels,
    payloads: file.payloads.map((p) => ("audio" in p ? { audio: new Uint8Array(Buffer.from(p.audio, "base64")) } : p)),
  };
}
