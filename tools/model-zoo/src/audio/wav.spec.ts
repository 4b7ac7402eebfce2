import { describe, expect, it } from "@jest/globals";
import { decodeWav } from "@modelrouter/executor-service";
import { encodeWav16 } from "./wav.js";

describe("encodeWav16", () => {
  it("writes a 16-bit mono WAV that the executor's decoder reads back within one quantisation step", () => {
    const samples = Float32Array.from({ length: 400 }, (_, i) => Math.sin(i / 7) * 0.8);
    const decoded = decodeWav(encodeWav16(samples, 8000));
    expect([decoded.sampleRateHz, decoded.channels, decoded.mono.length]).toEqual([8000, 1, 400]);
    for (let i = 0; i < samples.length; i++) expect(Math.abs((decoded.mono[i] as number) - (samples[i] as number))).toBeLessThan(1 / 16000);
  });

  it("clips values outside [-1, 1]", () => {
    const decoded = decodeWav(encodeWav16([2, -2], 16000));
    expect(decoded.mono[0]).toBeCloseTo(1, 3);
    expect(decoded.mono[1]).toBeCloseTo(-1, 3);
  });
});
