import { readFileSync } from "node:fs";
import { join } from "node:path";
import { samplesDir } from "./paths.js";

/** What a sample image shows: an MNIST digit (28×28) or a low-resolution scan (8×8). */
export type SampleKind = "mnist" | "lowres";

/**
 * What a payload sample of another modality is: a sentence in one language (.txt), a short text on a topic
 * (.txt), a breast-cancer measurement record, a penguin record or a vibration-sensor record (.json), a spoken
 * digit (.wav).
 */
export type PayloadSampleKind = "language" | "topic" | "breast-cancer" | "penguin" | "vibration" | "spoken-digit";

/** One labelled sample image from a held-out test split. */
export interface Sample {
  /** File name, for example "mnist-7-0.png". */
  readonly file: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** The digit, as the classification label ("0"–"9"). */
  readonly label: string;
  readonly kind: SampleKind;
}

/** One labelled payload sample of the text, tabular, sensor and audio models, from a held-out test split. */
export interface PayloadSample {
  /** File name, for example "sentence-de.txt", "sensor-imbalance.json" or "spoken-seven.wav". */
  readonly file: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** The expected classification label, for example "de", "malignant", "imbalance" or "seven". */
  readonly label: string;
  readonly kind: PayloadSampleKind;
  /** The zoo model the sample is meant for; it classifies the sample correctly. */
  readonly model: string;
}

/** A line of `samples/index.json`: an image sample, or a payload sample naming its model. */
type IndexEntry = { file: string; label: string; kind: SampleKind } | { file: string; label: string; kind: PayloadSampleKind; model: string };

function readIndex(): IndexEntry[] {
  return JSON.parse(readFileSync(join(samplesDir(), "index.json"), "utf8")) as IndexEntry[];
}

const isImage = (entry: IndexEntry): entry is { file: string; label: string; kind: SampleKind } =>
  entry.kind === "mnist" || entry.kind === "lowres";

/** The sample images listed in `samples/index.json` (8-bit grayscale PNGs), read at each call. */
export function loadSampleIndex(): readonly Sample[] {
  const dir = samplesDir();
  return readIndex()
    .filter(isImage)
    .map(({ file, label, kind }) => ({ file, path: join(dir, file), label, kind }));
}

/**
 * The payload samples listed in `samples/index.json` — texts, JSON records and WAV clips, each with the model it
 * is meant for — read at each call.
 */
export function loadPayloadSamples(): readonly PayloadSample[] {
  const dir = samplesDir();
  return readIndex()
    .filter((entry): entry is Exclude<IndexEntry, { kind: SampleKind }> => !isImage(entry))
    .map(({ file, label, kind, model }) => ({ file, path: join(dir, file), label, kind, model }));
}
