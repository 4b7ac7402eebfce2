import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Modality } from "@modelrouter/contracts";
import type { Payload, PayloadDataset } from "../data/payload.js";

/** A payload as stored in an evaluation-set file: WAV bytes base64. */
export type StoredPayload = { readonly text: string } | { readonly json: unknown } | { readonly audio: string };

/** The JSON inside a payload evaluation-set file (`samples/eval/<name>.json.gz`). */
export interface PayloadEvaluationSetFile {
  readonly name: string;
  readonly description: string;
  /** The modality's enum name, for example "MODALITY_TEXT". */
  readonly modality: string;
  /** Every class label, in the models' output order. */
  readonly classes: readonly string[];
  readonly count: number;
  /** The true label of each payload. */
  readonly labels: readonly string[];
  readonly payloads: readonly StoredPayload[];
}

/** A payload in its stored form. */
export function storedPayload(payload: Payload): StoredPayload {
  return "audio" in payload ? { audio: Buffer.from(payload.audio).toString("base64") } : payload;
}

/** Writes the held-out split of `data` as `<dir>/<name>.json.gz`: the payloads a client sends, with their labels. */
export function writePayloadEvaluationSet(dir: string, name: string, modality: Modality, data: PayloadDataset): void {
  mkdirSync(dir, { recursive: true });
  const file: PayloadEvaluationSetFile = {
    name,
    description: `The held-out split of ${data.name}, as request payloads. ${data.description}`,
    modality: `MODALITY_${Modality[modality]}`,
    classes: data.classes,
    count: data.test.length,
    labels: data.test.map((item) => data.classes[item.label] as string),
    payloads: data.test.map((item) => storedPayload(item.payload)),
  };
  writeFileSync(join(dir, `${name}.json.gz`), gzipSync(JSON.stringify(file), { level: 9 }));
}
