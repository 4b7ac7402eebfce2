import { describe, expect, it } from "@jest/globals";
import { ascii, concat, u16le, u32le, wavBytes } from "../testing/fixtures.test-support.js";
import { readWavHeader } from "./wav-header.js";

describe("readWavHeader", () => {
  it.each([
    ["pcm", 8, "pcm"],
    ["pcm", 16, "pcm"],
    ["pcm", 24, "pcm"],
    ["pcm", 32, "pcm"],
    ["float", 32, "float"],
    ["float", 64, "float"],
    ["extensible-pcm", 24, "pcm"],
    ["extensible-float", 32, "float"],
  ] as const)("reads a %s WAV of %i-bit samples", (layout, bitsPerSample, encoding) => {
    const bytes = wavBytes({ layout, bitsPerSample, sampleRateHz: 22_050, channels: 2, frames: 11_025 });
    const dataBytes = 11_025 * 2 * (bitsPerSample / 8);
    expect(readWavHeader(bytes)).toEqual({
      ok: true,
      value: {
        format: "wav",
        encoding,
        sampleRateHz: 22_050,
        channels: 2,
        bitsPerSample,
        durationSeconds: 0.5,
        dataOffset: bytes.length - dataBytes,
        dataBytes,
      },
    });
  });

  it("walks past other chunks before fmt and data, honouring the pad byte of odd-sized chunks", () => {
    const bytes = wavBytes({
      frames: 8000,
      chunksBeforeFmt: [{ id: "JUNK", size: 3 }],
      chunksBeforeData: [
        { id: "LIST", size: 27 },
        { id: "fact", size: 4 },
      ],
    });
    expect(readWavHeader(bytes)).toMatchObject({ ok: true, value: { sampleRateHz: 16_000, durationSeconds: 0.5 } });
  });

  it("accepts the streaming data size 0xffffffff as 'to the end of the file'", () => {
    const bytes = wavBytes({ frames: 4000, declaredDataSize: 0xffffffff });
    expect(readWavHeader(bytes)).toMatchObject({ ok: true, value: { durationSeconds: 0.25 } });
  });

  it("rejects a data chunk that declares more bytes than follow", () => {
    const bytes = wavBytes({ frames: 100 });
    expect(readWavHeader(bytes.subarray(0, bytes.length - 1))).toMatchObject({
      ok: false,
      problem: "is truncated: the data chunk declares 200 bytes but 199 follow",
    });
  });

  it("rejects a WAV cut anywhere before its data chunk as truncated", () => {
    const bytes = wavBytes({ frames: 10, chunksBeforeData: [{ id: "LIST", size: 9 }] });
    const dataChunk = bytes.length - 20 - 8;
    for (let length = 12; length < dataChunk; length++) {
      const result = readWavHeader(bytes.subarray(0, length));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem).toMatch(/^is truncated/);
    }
  });

  it("rejects a data chunk before the fmt chunk", () => {
    const bytes = concat(ascii("RIFF"), u32le(16), ascii("WAVE"), ascii("data"), u32le(0), ascii("fmt "), u32le(16));
    expect(readWavHeader(bytes)).toMatchObject({ ok: false, problem: "is corrupt: its data chunk comes before the fmt chunk" });
  });

  function withFmt(fields: { tag?: number; channels?: number; rate?: number; align?: number; bits?: number }, size = 16): Uint8Array {
    const fmt = concat(
      u16le(fields.tag ?? 1),
      u16le(fields.channels ?? 1),
      u32le(fields.rate ?? 8000),
      u32le(16000),
      u16le(fields.align ?? 2),
      u16le(fields.bits ?? 16),
    ).subarray(0, size);
    return concat(ascii("RIFF"), u32le(0), ascii("WAVE"), ascii("fmt "), u32le(size), fmt, ascii("data"), u32le(0));
  }

  it.each([
    [{ tag: 0x55 }, "is not supported: format tag 0x0055; PCM (1), IEEE float (3) and extensible PCM or float are recognised"],
    [{ channels: 0, align: 0 }, "is corrupt: it has 0 channels"],
    [{ rate: 0 }, "is corrupt: its sample rate is 0 Hz"],
    [{ bits: 12, align: 2 }, "is not supported: 12-bit PCM samples (recognised: 8, 16, 24, 32)"],
    [{ tag: 3, bits: 16 }, "is not supported: 16-bit float samples (recognised: 32, 64)"],
    [{ align: 4 }, "is corrupt: block align 4 is not channels × bits / 8 = 2"],
  ])("rejects a fmt chunk %j, as damaged or as an unsupported variant", (fields, problem) => {
    const kind = problem.startsWith("is not supported") ? "unsupported" : "invalid";
    expect(readWavHeader(withFmt(fields))).toEqual({ ok: false, problem, kind });
  });

  it("rejects a fmt chunk shorter than 16 bytes and an extensible one shorter than 40", () => {
    expect(readWavHeader(withFmt({}, 14))).toMatchObject({ ok: false, problem: "is corrupt: its fmt chunk is 14 bytes, less than 16" });
    expect(readWavHeader(withFmt({ tag: 0xfffe }))).toMatchObject({
      ok: false,
      problem: "is corrupt: its extensible fmt chunk is 16 bytes, less than 40",
    });
  });

  it("rejects an extensible fmt chunk whose subformat is not a KSDATAFORMAT GUID", () => {
    const bytes = wavBytes({ layout: "extensible-pcm" }).slice();
    bytes[12 + 8 + 30] = 0x99;
    expect(readWavHeader(bytes)).toMatchObject({
      ok: false,
      problem: "is not supported: its extensible subformat GUID is not a KSDATAFORMAT_SUBTYPE",
    });
  });

  it("gives up after 1024 chunks without data, so the walk is bounded", () => {
    const fmt = wavBytes({ frames: 0 }).subarray(12, 12 + 24);
    const junk = Array.from({ length: 1030 }, () => concat(ascii("JUNK"), u32le(0)));
    const bytes = concat(ascii("RIFF"), u32le(0), ascii("WAVE"), fmt, ...junk);
    expect(readWavHeader(bytes)).toMatchObject({ ok: false, problem: "is not supported: no data chunk within its first 1024 chunks" });
  });
});
