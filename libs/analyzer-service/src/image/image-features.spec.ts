import { beforeAll, describe, expect, it } from "@jest/globals";
import { analyzePayload } from "../analyze-payload.js";
import { mediaPayload } from "../testing/analyze.test-support.js";
import { concat, pngBytes, pngHeaderBytes } from "../testing/fixtures.test-support.js";
import { JPEG_SAMPLES, sample } from "../testing/samples.test-support.js";
import { checkerboard, paintedJpeg, paintedPng, ramp } from "../testing/signals.test-support.js";
import { type LanguageDetector, createLanguageDetector } from "../text/language-detector.js";

let languageDetector: LanguageDetector;
beforeAll(async () => {
  languageDetector = await createLanguageDetector();
});

const imageOf = (bytes: Uint8Array) => {
  const profile = analyzePayload(mediaPayload("image", bytes), {}, { languageDetector });
  return { image: profile.image!, warnings: profile.warnings };
};

describe("an image's colour", () => {
  it("is gray when the header says so: greyscale PNGs and one-component JPEGs", () => {
    expect(imageOf(sample("zoo-mnist-3.png")).image.color).toBe("gray");
    expect(imageOf(sample("cjpeg-gray.jpg")).image.color).toBe("gray");
  });

  it("is gray for a colour-typed PNG or JPEG whose pixels are all grey", () => {
    expect(imageOf(paintedPng(32, 32, checkerboard(4), 2)).image.color).toBe("gray");
    expect(imageOf(paintedJpeg(32, 32, checkerboard(8))).image.color).toBe("gray");
  });

  it("is color when a pixel is coloured", () => {
    const onePixelRed = (x: number, y: number) => (x === 5 && y === 7 ? ([200, 20, 20] as const) : ([90, 90, 90] as const));
    expect(imageOf(paintedPng(16, 16, onePixelRed)).image.color).toBe("color");
    expect(imageOf(sample("cjpeg-baseline.jpg")).image.color).toBe("color");
  });
});

describe("an image's resolution and sharpness", () => {
  it("gives the smaller side, for telling low-resolution scans from photos", () => {
    expect(imageOf(sample("zoo-lowres-7.png")).image.minSide).toBe(8);
    expect(imageOf(pngBytes({ width: 64, height: 48 })).image.minSide).toBe(48);
  });

  it("measures a sharp checkerboard as far sharper than a smooth ramp, in PNG and in JPEG", () => {
    const sharpPng = imageOf(paintedPng(64, 64, checkerboard(2))).image.sharpness;
    const smoothPng = imageOf(paintedPng(64, 64, (x) => ramp(64)(x))).image.sharpness;
    expect(smoothPng).toBeLessThan(1);
    expect(sharpPng).toBeGreaterThan(1000 * Math.max(1, smoothPng));
    const sharpJpeg = imageOf(paintedJpeg(64, 64, checkerboard(2))).image.sharpness;
    const smoothJpeg = imageOf(paintedJpeg(64, 64, (x) => ramp(64)(x))).image.sharpness;
    expect(sharpJpeg).toBeGreaterThan(100 * Math.max(1, smoothJpeg));
  });

  it("measures a large image on a 256-pixel-a-side reduction, so that detail finer than that does not count", () => {
    const fine = imageOf(paintedPng(300, 200, checkerboard(1))).image;
    const coarse = imageOf(paintedPng(300, 200, checkerboard(20))).image;
    expect(fine.pixelsAnalyzed).toBe(300 * 200);
    expect(fine.sharpness).toBeLessThan(1);
    expect(coarse.sharpness).toBeGreaterThan(1000);
  });

  it("reports how many pixels were analysed: all of a small image", () => {
    expect(imageOf(sample("zoo-mnist-3.png")).image.pixelsAnalyzed).toBe(28 * 28);
    for (const name of JPEG_SAMPLES) expect(imageOf(sample(name)).image.pixelsAnalyzed).toBe(24 * 16);
  });
});

describe("images whose pixels are not analysed", () => {
  it("are profiled from the header alone beyond 65,536 pixels, without a warning", () => {
    const { image, warnings } = imageOf(pngHeaderBytes({ width: 300, height: 219, bitDepth: 8, colourType: 2 }));
    expect(image).toMatchObject({ width: 300, height: 219, color: "color", minSide: 219, sharpness: 0, pixelsAnalyzed: 0 });
    expect(warnings).toEqual([]);
  });

  it("are profiled from the header when interlaced, since the PNG decoder cannot bound that work", () => {
    const { image, warnings } = imageOf(pngHeaderBytes({ width: 16, height: 16, bitDepth: 8, colourType: 0, interlace: 1 }));
    expect(image).toMatchObject({ color: "gray", pixelsAnalyzed: 0 });
    expect(warnings).toEqual([]);
  });

  it("are profiled from the header when a JPEG has more than 32 scans, each of which a decoder passes over the image", () => {
    const baseline = sample("cjpeg-baseline.jpg");
    let sos = 2;
    while (!(baseline[sos] === 0xff && baseline[sos + 1] === 0xda)) sos++;
    const scan = baseline.subarray(sos, baseline.length - 2);
    const manyScans = concat(baseline.subarray(0, sos), ...Array.from({ length: 33 }, () => scan), [0xff, 0xd9]);
    const { image, warnings } = imageOf(manyScans);
    expect(image).toMatchObject({ width: 24, height: 16, color: "color", pixelsAnalyzed: 0 });
    expect(warnings).toEqual([]);
    const { image: fewer } = imageOf(concat(baseline.subarray(0, sos), ...Array.from({ length: 32 }, () => scan), [0xff, 0xd9]));
    expect(fewer.pixelsAnalyzed).toBe(24 * 16);
  });

  it("are profiled with a warning naming the field when their compressed data does not decode", () => {
    const { image, warnings } = imageOf(pngHeaderBytes({ width: 16, height: 16, bitDepth: 8, colourType: 2 }));
    expect(image).toMatchObject({ width: 16, color: "color", sharpness: 0, pixelsAnalyzed: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^payload\.image\.data: the pixels were not analysed: its compressed image data does not decode/);
  });
});
