import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { samplesDir } from "./paths.js";
import type { SampleKind } from "./samples.js";

/** The held-out evaluation sets shipped with the zoo. */
export const EVALUATION_SET_NAMES = ["mnist-test-1000", "lowres-test-540"] as const;

/** One of {@link EVALUATION_SET_NAMES}. */
export type EvaluationSetName = (typeof EVALUATION_SET_NAMES)[number];

/** Labelled 8-bit grayscale images never used in training, for routing-quality benchmarks. */
export interface EvaluationSet {
  readonly name: EvaluationSetName;
  readonly description: string;
  readonly kind: SampleKind;
  readonly width: number;
  readonly height: number;
  readonly count: number;
  /** The digit of each image, as the classification label ("0"–"9"). */
  readonly labels: readonly string[];
  /** count × height × width pixels, row-major, one image after another. */
  readonly pixels: Uint8Array;
}

/**
 * Reads an evaluation set (`samples/eval/<name>.json.gz`): "mnist-test-1000" holds the first 1,000 MNIST test
 * digits (28×28), "lowres-test-540" the whole 8×8 test split. Encode an image as PNG to send it as a request.
 */
export function loadEvaluationSet(name: EvaluationSetName): EvaluationSet {
  const file = JSON.parse(gunzipSync(readFileSync(join(samplesDir(), "eval", `${name}.json.gz`))).toString("utf8")) as Omit<
    EvaluationSet,
    "pixels" | "name"
  > & { name: string; pixels: string };
  const pixels = new Uint8Array(Buffer.from(file.pixels, "base64"));
  if (file.name !== name || pixels.length !== file.count * file.width * file.height || file.labels.length !== file.count) {
    throw new Error(`model-zoo evaluation set ${name} is inconsistent`);
  }
  return { ...file, name, pixels };
}

/** The pixels of image `index` of a set (a view, not a copy). */
export function evaluationImage(set: EvaluationSet, index: number): Uint8Array {
  const size = set.width * set.height;
  return set.pixels.subarray(index * size, (index + 1) * size);
}
