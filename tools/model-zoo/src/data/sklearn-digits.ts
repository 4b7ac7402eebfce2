import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { ImageSet } from "./image-set.js";

/** Where Debian's `python3-sklearn` package puts the 8×8 digits (only this CSV file is used; no Python runs). */
export const SKLEARN_DIGITS_CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

/**
 * Loads scikit-learn's 1,797 low-resolution digit scans (8×8, values 0–16, ink high; the UCI "optdigits"
 * set). Each row is 64 pixel values then the label. The 0–16 values become 8-bit pixels round(v · 255/16),
 * which is how the samples are stored as PNG files.
 */
export function loadSklearnDigits(path: string = SKLEARN_DIGITS_CSV): ImageSet {
  if (!existsSync(path)) {
    throw new Error(
      `${path} not found: install it with "apt-get install -y --no-install-recommends python3-sklearn"`,
    );
  }
  const rows = gunzipSync(readFileSync(path))
    .toString("utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const pixels = new Uint8Array(rows.length * 64);
  const labels = new Uint8Array(rows.length);
  rows.forEach((line, r) => {
    const values = line.split(",").map(Number);
    if (values.length !== 65 || values.some((v) => !Number.isInteger(v) || v < 0 || v > 16)) {
      throw new Error(`${path}: row ${r + 1} is not 64 values in 0..16 and a label`);
    }
    for (let i = 0; i < 64; i++) pixels[r * 64 + i] = Math.round(((values[i] as number) * 255) / 16);
    labels[r] = values[64] as number;
  });
  return { name: "sklearn-digits", width: 8, height: 8, count: rows.length, pixels, labels };
}
