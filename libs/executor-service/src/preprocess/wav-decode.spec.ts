import { describe, expect, it } from "@jest/globals";
import { type DomainError, ErrorReason } from "@modelrouter/errors";
import { decodeWav } from "./wav-decode.js";
import { chunkBytes, riff, wavBytes } from "./wav-bytes.test-support.js";

const refusal = (bytes: Uint8Array): DomainError => {
  try {
    decodeWav(bytes);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error("expected a refusal");
};
const samples = [0, 0.5, -0.5, 0.25];

describe("decodeWav", () => {
  it.each([
    [8, false, 1 / 128],
    [16, false, 1 / 32768],
    [24, false, 1 / 8_388_608],
    [32, false, 1e-9],
    [32, true, 1e-7],
    [64, true, 1e-12],
  ] as const)("reads %i-bit samples (float: %s) into [-1, 1]", (bits, float, tolerance) => {
    const audio = decodeWav(wavBytes({ channels: [samples], bits, float, sampleRateHz: 8000 }));
    expect(audio.sampleRateHz).toBe(8000);
    expect(audio.channels).toBe(1);
    Array.from(audio.mono).forEach((x, i) => expect(Math.abs(x - (samples[i] ?? 0))).toBeLessThanOrEqual(tolerance * 1.01));
  });

  it("mixes channels to mono by averaging them", () => {
    const audio = decodeWav(wavBytes({ channels: [[0.5, 0.5], [-0.5, 0.25], [0, 0.25]], bits: 32, float: true }));
    expect(audio.channels).toBe(3);
    expect(Array.from(audio.mono)).toEqual([0, Math.fround(1 / 3)]);
  });

  it("reads WAVE_FORMAT_EXTENSIBLE files", () => {
    const audio = decodeWav(wavBytes({ channels: [samples, samples], bits: 24, extensible: true }));
    expect(audio.mono[1]).toBeCloseTo(0.5, 5);
  });

  it("skips unknown chunks, pads odd-sized ones, and finds a data chunk before fmt", () => {
    const odd = { id: "junk", body: new Uint8Array([1, 2, 3]) };
    expect(decodeWav(wavBytes({ channels: [samples], before: [odd] })).mono[1]).toBeCloseTo(0.5, 4);
    expect(decodeWav(wavBytes({ channels: [samples], dataFirst: true })).mono[2]).toBeCloseTo(-0.5, 4);
  });

  it("clamps float samples to [-1, 1] and reads NaN as 0", () => {
    expect(Array.from(decodeWav(wavBytes({ channels: [[2, -3, Number.NaN]], bits: 32, float: true })).mono)).toEqual([1, -1, 0]);
  });

  it("ignores a trailing partial frame", () => {
    const wav = wavBytes({ channels: [[0.5, 0.5]], bits: 16 });
    const data = wav.slice(wav.length - 4);
    const fmt = wav.slice(12, 12 + 24);
    expect(decodeWav(riff([fmt, chunkBytes("data", Uint8Array.from([...data, 7]))])).mono.length).toBe(2);
  });

  it.each([
    ["no RIFF/WAVE header", new TextEncoder().encode("ID3 this is an mp3")],
    ["no fmt chunk", riff([chunkBytes("data", new Uint8Array(4))])],
    ["no data chunk", wavBytes({ channels: [samples] }).slice(0, 36)],
    ["is truncated", wavBytes({ channels: [samples] }).slice(0, 46)],
    ["12-bit", patch(wavBytes({ channels: [samples] }), 34, 12)],
    ["sample format 2", patch(wavBytes({ channels: [samples] }), 20, 2)],
    ["0 channels", patch(wavBytes({ channels: [samples] }), 22, 0)],
    ["block align", patch(wavBytes({ channels: [samples] }), 32, 3)],
  ])("refuses a file with %s, naming the field and what it takes", (problem, bytes) => {
    const error = refusal(bytes);
    expect(error.reason).toBe(ErrorReason.INVALID_FIELD);
    expect(error.violations).toEqual([{ field: "payload.audio.data", description: expect.stringContaining(problem) }]);
    expect(error.violations[0]?.description).toContain("send a RIFF/WAVE file of PCM");
  });

  it("names the field it is given", () => {
    const error = refusal(new Uint8Array(3));
    expect(error.violations[0]?.field).toBe("payload.audio.data");
    expect(() => decodeWav(new Uint8Array(3), "payload.binary.data")).toThrow(expect.objectContaining({ violations: [expect.objectContaining({ field: "payload.binary.data" })] }));
  });
});

function patch(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint16(at, value, true);
  return out;
}
