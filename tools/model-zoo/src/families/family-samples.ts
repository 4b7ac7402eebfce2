import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Payload, PayloadDataset } from "../data/payload.js";
import type { Family } from "./family-spec.js";
import type { FamilyResult } from "./family-result.js";

/** What a demo sample of another modality shows. */
export type FamilySampleKind = "language" | "topic" | "breast-cancer" | "penguin" | "vibration" | "spoken-digit";

/** One line of samples/index.json for a family sample. */
export interface FamilySampleEntry {
  readonly file: string;
  readonly label: string;
  readonly kind: FamilySampleKind;
  /** The model the sample is meant for (it classifies it correctly). */
  readonly model: string;
}

/** The sample kinds each family writes (and replaces in the index on a rebuild). */
export const FAMILY_SAMPLE_KINDS: Readonly<Record<Family, readonly FamilySampleKind[]>> = {
  text: ["language", "topic"],
  tabular: ["breast-cancer", "penguin"],
  sensor: ["vibration"],
  audio: ["spoken-digit"],
};

/** What to write for one family sample. */
interface SampleChoice {
  readonly file: string;
  readonly kind: FamilySampleKind;
  readonly model: string;
  readonly label: string;
  /** The models that must all classify it correctly. */
  readonly correctFor: readonly string[];
  /** Further conditions on the payload, for example a short text. */
  readonly accept?: (payload: Payload) => boolean;
}

function choices(family: Family): SampleChoice[] {
  switch (family) {
    case "text":
      return [
        ...["de", "en", "fr", "es", "ru", "el"].map((label) => ({
          file: `sentence-${label}.txt`,
          kind: "language" as const,
          model: "text-langid",
          label,
          correctFor: ["text-langid"],
          accept: (p: Payload) => "text" in p && p.text.length <= 200,
        })),
        ...["computers", "food", "sports"].map((label) => ({
          file: `topic-${label}.txt`,
          kind: "topic" as const,
          model: "text-topic",
          label,
          correctFor: ["text-topic", "text-topic-lite"],
          accept: (p: Payload) => "text" in p && p.text.length <= 300,
        })),
      ];
    case "tabular":
      return [
        { file: "breast-cancer-row.json", kind: "breast-cancer", model: "tabular-breast-cancer", label: "malignant", correctFor: ["tabular-breast-cancer", "tabular-breast-cancer-large"] },
        {
          file: "penguin.json",
          kind: "penguin",
          model: "tabular-penguins",
          label: "Chinstrap",
          correctFor: ["tabular-penguins"],
          accept: (p) => "json" in p && Object.values(p.json as object).every((v) => v !== null) && Object.keys(p.json as object).length === 6,
        },
      ];
    case "sensor":
      return ["normal", "imbalance", "misalignment", "bearing-fault"].map((label) => ({
        file: `sensor-${label}.json`,
        kind: "vibration" as const,
        model: "sensor-fault-specialist",
        label,
        correctFor: ["sensor-fault-specialist"],
      }));
    case "audio":
      return ["zero", "three", "five", "seven"].map((label) => ({
        file: `spoken-${label}.wav`,
        kind: "spoken-digit" as const,
        model: "audio-spoken-digits",
        label,
        correctFor: ["audio-spoken-digits"],
      }));
  }
}

/** A sample file's content: the text exactly as evaluated (no newline added: it would be an n-gram), a record as JSON, WAV bytes. */
function fileBytes(payload: Payload): Uint8Array | string {
  if ("audio" in payload) return payload.audio;
  if ("text" in payload) return payload.text;
  const flat = Object.values(payload.json as object).every((v) => !Array.isArray(v));
  return `${flat ? JSON.stringify(payload.json, null, 2) : JSON.stringify(payload.json)}\n`;
}

/**
 * Writes the family's demo samples into `dir` — for each, the first held-out payload of its label that every
 * named model classifies correctly — and replaces the family's entries in `index.json` (other entries kept).
 */
export function writeFamilySamples(dir: string, family: Family, results: readonly FamilyResult[]): FamilySampleEntry[] {
  mkdirSync(dir, { recursive: true });
  const entries: FamilySampleEntry[] = choices(family).map((choice) => {
    const models = choice.correctFor.map((name) => {
      const found = results.find((r) => r.spec.name === name);
      if (found === undefined) throw new Error(`sample ${choice.file}: model ${name} was not built`);
      return found;
    });
    const data: PayloadDataset = (models[0] as FamilyResult).data;
    const label = data.classes.indexOf(choice.label);
    const index = data.test.findIndex(
      (item, i) => item.label === label && models.every((m) => m.evaluation.predictions[i] === label) && (choice.accept?.(item.payload) ?? true),
    );
    if (index < 0) throw new Error(`sample ${choice.file}: no held-out ${choice.label} payload is classified correctly by ${choice.correctFor.join(" and ")}`);
    writeFileSync(join(dir, choice.file), fileBytes((data.test[index] as { payload: Payload }).payload));
    return { file: choice.file, label: choice.label, kind: choice.kind, model: choice.model };
  });
  const indexPath = join(dir, "index.json");
  const kinds = new Set<string>(FAMILY_SAMPLE_KINDS[family]);
  const previous = existsSync(indexPath) ? (JSON.parse(readFileSync(indexPath, "utf8")) as { kind: string }[]) : [];
  const index = [...previous.filter((entry) => !kinds.has(entry.kind)), ...entries];
  writeFileSync(indexPath, `${JSON.stringify(index, null, 2)}\n`);
  return entries;
}
