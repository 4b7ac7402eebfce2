import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { imageAt, subset } from "./image-set.js";
import { loadMnist } from "./mnist.js";
import { loadSklearnDigits } from "./sklearn-digits.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "model-zoo-data-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("loadMnist", () => {
  it("restores 8-bit pixels from the package's 3-decimal values and labels images by file", () => {
    for (let digit = 0; digit < 10; digit++) {
      const images = digit === 3 ? 2 : 1;
      const data = Array.from({ length: 784 * images }, (_, i) => Number(((i % 256) / 255).toFixed(3)));
      writeFileSync(join(dir, `${digit}.json`), JSON.stringify({ data }));
    }
    const set = loadMnist(dir);
    expect(set.count).toBe(11);
    expect(Array.from(set.labels)).toEqual([0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(imageAt(set, 3).subarray(0, 256))).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });
});

describe("loadSklearnDigits", () => {
  it("reads the gzip'd CSV: 64 values 0–16 then the label, stored as round(v·255/16)", () => {
    const row = (label: number, v: number): string => [...new Array<number>(64).fill(v), label].join(",");
    const file = join(dir, "digits.csv.gz");
    writeFileSync(file, gzipSync(`${row(7, 16)}\n${row(2, 5)}\n`));
    const set = loadSklearnDigits(file);
    expect([set.count, set.width, set.height]).toEqual([2, 8, 8]);
    expect(Array.from(set.labels)).toEqual([7, 2]);
    expect(imageAt(set, 0)[0]).toBe(255);
    expect(imageAt(set, 1)[63]).toBe(Math.round((5 * 255) / 16));
    expect(Array.from(subset(set, [1]).labels)).toEqual([2]);
  });

  it("says which Debian package to install when the file is missing", () => {
    expect(() => loadSklearnDigits(join(dir, "missing.csv.gz"))).toThrow("apt-get install -y --no-install-recommends python3-sklearn");
  });
});
