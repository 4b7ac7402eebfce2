import { readFileSync } from "node:fs";
import { join } from "node:path";
import { samplesDir } from "./paths.js";

/** What a sample image shows: an MNIST digit (28×28) or a low-resolution scan (8×8). */
export type SampleKind = "mnist" | "lowres";

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

/** The sample images listed in `samples/index.json` (8-bit grayscale PNGs), read at each call. */
export function loadSampleIndex(): readonly Sample[] {
  const dir = samplesDir();
  const entries = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { file: string; label: string; kind: SampleKind }[];
  return entries.map(({ file, label, kind }) => ({ file, path: join(dir, file), label, kind }));
}
