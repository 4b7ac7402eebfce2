import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BREAST_CANCER_CSV, loadBreastCancerDataset } from "./breast-cancer.js";
import { itWithDebian } from "./debian-data.test-support.js";
import { FORTUNES_DIR, FORTUNE_TOPICS, fortuneEntries, loadFortunesDataset } from "./fortunes.js";
import { loadPenguinsDataset } from "./penguins.js";
import { loadUdhrDataset, udhrSentences } from "./udhr.js";
import { FAULT_CLASSES, VIBRATION_SAMPLES, loadVibrationDataset, vibrationRecord } from "./vibration.js";
import { createRng } from "../rng.js";
import { SPOKEN_DIGIT_RATE_HZ, drawUtterance, renderUtterance } from "./spoken-digits.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "model-zoo-payloads-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = (payload: unknown): Record<string, unknown> => (payload as { json: Record<string, unknown> }).json;

describe("udhrSentences", () => {
  it("splits paragraphs after sentence punctuation, strips tags, decodes entities and drops short pieces", () => {
    const html = "<h2>Article 1</h2><p>All human beings are born free; they are <b>equal</b> in dignity. Yes.</p><p>Rights &amp; duties of everyone here.</p>";
    expect(udhrSentences(html)).toEqual(["All human beings are born free;", "they are equal in dignity.", "Rights & duties of everyone here."]);
  });
});

describe("loadUdhrDataset", () => {
  it("labels sentences of fifteen languages and holds out a quarter of them, the same way every time", () => {
    const a = loadUdhrDataset();
    const b = loadUdhrDataset();
    expect(a.classes).toHaveLength(15);
    expect(a.test.length).toBe(Math.round((a.train.length + a.test.length) * 0.25));
    expect(a.test).toEqual(b.test);
    expect(new Set(a.test.map((item) => item.label)).size).toBe(15);
  });
});

describe("fortuneEntries", () => {
  it("splits a fortune file on lines holding only %, trimmed, without empty entries", () => {
    expect(fortuneEntries("first\nline\n%\n  second 50% off\n%\n%\n")).toEqual(["first\nline", "second 50% off"]);
  });
});

describe("loadFortunesDataset", () => {
  it("labels each entry by the topic file it comes from, in the topics' order", () => {
    mkdirSync(join(dir, "fortunes"));
    FORTUNE_TOPICS.forEach((topic, i) => writeFileSync(join(dir, "fortunes", topic), Array.from({ length: 4 }, (_, j) => `${topic} ${i}.${j}`).join("\n%\n")));
    const data = loadFortunesDataset(join(dir, "fortunes"));
    const all = [...data.train, ...data.test];
    expect(all).toHaveLength(24);
    expect(data.test).toHaveLength(6);
    expect(all.every((item) => (item.payload as { text: string }).text.startsWith(`${FORTUNE_TOPICS[item.label]} `))).toBe(true);
  });

  it("says which Debian package to install when a topic file is missing", () => {
    expect(() => loadFortunesDataset(join(dir, "none"))).toThrow('apt-get install -y --no-install-recommends fortunes');
  });

  itWithDebian({ files: FORTUNE_TOPICS.map((topic) => join(FORTUNES_DIR, topic)), packages: ["fortunes"] })("labels Debian fortunes by their topic file and holds out a quarter", () => {
    const data = loadFortunesDataset();
    expect(data.classes).toEqual(["computers", "politics", "science", "food", "sports", "medicine"]);
    expect(data.test.length / (data.train.length + data.test.length)).toBeCloseTo(0.25, 2);
  });
});

describe("loadBreastCancerDataset", () => {
  it("reads scikit-learn's CSV layout: 30 measurements then the target, 0 = malignant becoming class 1", () => {
    const row = (first: number, target: number): string => [first, ...new Array<number>(29).fill(1.5), target].join(",");
    const file = join(dir, "breast_cancer.csv");
    writeFileSync(file, ["569,30,malignant,benign", row(17.99, 0), row(13.54, 1), row(20.57, 0)].join("\n"));
    const data = loadBreastCancerDataset(file);
    const all = [...data.train, ...data.test];
    expect(all.map((item) => [record(item.payload)["mean_radius"], item.label]).sort()).toEqual([[13.54, 0], [17.99, 1], [20.57, 1]]);
    expect(record(all[0]?.payload)["worst_concave_points"]).toBe(1.5);
  });

  it("refuses a file that is not that CSV, and says which Debian package to install when it is missing", () => {
    const file = join(dir, "other.csv");
    writeFileSync(file, "a,b\n1,2\n");
    expect(() => loadBreastCancerDataset(file)).toThrow('expected the header "569,30,malignant,benign"');
    expect(() => loadBreastCancerDataset(join(dir, "missing.csv"))).toThrow("apt-get install -y --no-install-recommends python3-sklearn");
  });

  itWithDebian({ files: [BREAST_CANCER_CSV], packages: ["python3-sklearn"] })("turns the CSV's target (0 = malignant) into class 1 = malignant, with snake_case measurement names", () => {
    const data = loadBreastCancerDataset();
    const all = [...data.train, ...data.test];
    expect(all).toHaveLength(569);
    expect(all.filter((item) => item.label === 1)).toHaveLength(212);
    expect(Object.keys(record(all[0]?.payload))).toHaveLength(30);
    expect(Object.keys(record(all[0]?.payload))).toEqual(expect.arrayContaining(["mean_radius", "radius_error", "worst_concave_points"]));
    const first = all.find((item) => record(item.payload)["mean_radius"] === 17.99);
    expect(first?.label).toBe(1);
  });
});

describe("loadPenguinsDataset", () => {
  it("keeps every row: missing measurements as null, an unknown sex left out", () => {
    const data = loadPenguinsDataset();
    const all = [...data.train, ...data.test].map((item) => record(item.payload));
    expect(all).toHaveLength(344);
    expect(all.some((r) => r["body_mass_g"] === null)).toBe(true);
    expect(all.some((r) => !("sex" in r))).toBe(true);
    expect(all.every((r) => r["sex"] === undefined || r["sex"] === "MALE" || r["sex"] === "FEMALE")).toBe(true);
  });
});

describe("vibrationRecord", () => {
  it("is the record a sensor sends: 256 samples at 1 kHz, the same for the same seed", () => {
    const a = vibrationRecord("imbalance", createRng(7));
    expect(a.sensor).toBe("vibration");
    expect(a.sample_rate_hz).toBe(1000);
    expect(a.samples).toHaveLength(VIBRATION_SAMPLES);
    expect(vibrationRecord("imbalance", createRng(7))).toEqual(a);
    expect(vibrationRecord("imbalance", createRng(8))).not.toEqual(a);
  });

  it("puts each fault's signature where it belongs: bearing resonance and 2× misalignment cross zero more often", () => {
    const crossings = (x: number[]): number => x.slice(1).filter((v, i) => Math.sign(v) !== Math.sign(x[i] as number)).length;
    const mean = (fault: (typeof FAULT_CLASSES)[number]): number => {
      const rng = createRng(11);
      return Array.from({ length: 50 }, () => crossings(vibrationRecord(fault, rng).samples)).reduce((a, b) => a + b, 0) / 50;
    };
    expect(mean("bearing-fault")).toBeGreaterThan(mean("normal"));
    expect(mean("misalignment")).toBeGreaterThan(mean("imbalance"));
  });
});

describe("loadVibrationDataset", () => {
  it("draws training and held-out records from independent seeds, balanced over the four classes", () => {
    const data = loadVibrationDataset();
    for (const split of [data.train, data.test]) {
      const counts = FAULT_CLASSES.map((_, c) => split.filter((item) => item.label === c).length);
      expect(new Set(counts).size).toBe(1);
    }
    expect(data.test[0]?.payload).not.toEqual(data.train[0]?.payload);
  });
});

describe("renderUtterance", () => {
  itWithDebian({ commands: ["espeak-ng", "sox"], packages: ["espeak-ng", "sox"] })("speaks a digit into a 1 s 8 kHz WAV clip, byte for byte the same on every run (espeak-ng and sox without dither)", () => {
    const clip = (): Uint8Array => renderUtterance(drawUtterance("seven", createRng(3)), createRng(4));
    const first = clip();
    expect(first).toHaveLength(44 + SPOKEN_DIGIT_RATE_HZ * 2);
    expect(Buffer.from(first.subarray(0, 4)).toString("latin1")).toBe("RIFF");
    expect(Buffer.from(clip()).equals(Buffer.from(first))).toBe(true);
    const pcm = new Int16Array(first.buffer.slice(44));
    expect(Math.max(...Array.from(pcm, Math.abs))).toBeGreaterThan(3000);
  });
});
