import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { imageAt, type ImageSet } from "../data/image-set.js";
import { encodeGrayPng } from "../image/png.js";

/** The kinds of sample image: an MNIST digit (28×28) or a low-resolution scan (8×8). */
export type SampleKind = "mnist" | "lowres";

/** One line of samples/index.json. */
export interface SampleEntry {
  readonly file: string;
  readonly label: string;
  readonly kind: SampleKind;
}

/**
 * Writes, for each digit, the first image of `set` with that label that `accept` accepts as
 * `<kind>-<digit>-0.png` (8-bit grayscale) into `dir`, and returns the index entries. The zoo accepts the
 * images that every model made for that kind classifies correctly: they are demo images, not a measure.
 */
export function writeSamplePngs(
  dir: string,
  set: ImageSet,
  kind: SampleKind,
  accept: (index: number) => boolean = () => true,
): SampleEntry[] {
  mkdirSync(dir, { recursive: true });
  const entries: SampleEntry[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const index = set.labels.findIndex((label, i) => label === digit && accept(i));
    if (index < 0) throw new Error(`${set.name}: no accepted sample of digit ${digit}`);
    const file = `${kind}-${digit}-0.png`;
    writeFileSync(join(dir, file), encodeGrayPng(imageAt(set, index), set.width, set.height));
    entries.push({ file, label: String(digit), kind });
  }
  return entries;
}

/** The JSON inside an evaluation-set file (`samples/eval/<name>.json.gz`). */
export interface EvaluationSetFile {
  readonly name: string;
  readonly description: string;
  readonly kind: SampleKind;
  readonly width: number;
  readonly height: number;
  readonly count: number;
  /** The digit of each image, as the classification label ("0"–"9"). */
  readonly labels: readonly string[];
  /** count × height × width 8-bit grayscale pixels, row-major, base64. */
  readonly pixels: string;
}

/** Writes `set` as a gzip'd JSON evaluation set `<dir>/<name>.json.gz`. */
export function writeEvaluationSet(dir: string, name: string, description: string, kind: SampleKind, set: ImageSet): void {
  mkdirSync(dir, { recursive: true });
  const file: EvaluationSetFile = {
    name,
    description,
    kind,
    width: set.width,
    height: set.height,
    count: set.count,
    labels: Array.from(set.labels, String),
    pixels: Buffer.from(set.pixels.buffer, set.pixels.byteOffset, set.pixels.byteLength).toString("base64"),
  };
  writeFileSync(join(dir, `${name}.json.gz`), gzipSync(JSON.stringify(file), { level: 9 }));
}
