import { describe, expect, it } from "@jest/globals";
import { concat, jpegBytes, jpegFrameBytes, jpegSegment } from "../testing/fixtures.test-support.js";
import { readJpegHeader } from "./jpeg-header.js";

describe("readJpegHeader", () => {
  it("reads width, height, precision and components of a jpeg-js baseline JPEG", () => {
    expect(readJpegHeader(jpegBytes({ width: 33, height: 21 }))).toEqual({
      ok: true,
      value: { format: "jpeg", width: 33, height: 21, channels: 3, bitDepth: 8 },
    });
  });

  it.each([
    [0xc0, "baseline"],
    [0xc1, "extended sequential"],
    [0xc2, "progressive"],
    [0xc3, "lossless"],
    [0xc9, "arithmetic sequential"],
    [0xcf, "arithmetic differential lossless"],
  ])("reads the frame header SOF%s (%s)", (sof) => {
    const bytes = jpegFrameBytes({ width: 1024, height: 768, components: 1, precision: 12, sof });
    expect(readJpegHeader(bytes)).toEqual({
      ok: true,
      value: { format: "jpeg", width: 1024, height: 768, channels: 1, bitDepth: 12 },
    });
  });

  it("skips DHT, JPG and DAC segments, which share the SOF marker range, and other segments before the frame", () => {
    const before = [
      jpegSegment(0xc4, [0, 1, 2, 3]),
      jpegSegment(0xc8, [9]),
      jpegSegment(0xcc, [1, 2]),
      jpegSegment(0xdb, new Uint8Array(65)),
      jpegSegment(0xe1, new Uint8Array(300)),
      jpegSegment(0xfe, [0x68, 0x69]),
    ];
    const bytes = jpegFrameBytes({ width: 5, height: 6, components: 4, before });
    expect(readJpegHeader(bytes)).toMatchObject({ ok: true, value: { width: 5, height: 6, channels: 4 } });
  });

  it("skips fill bytes and standalone markers between segments", () => {
    const bytes = concat([0xff, 0xd8, 0xff, 0xff, 0xff, 0x01, 0xff, 0xd0], jpegFrameBytes({ width: 7, height: 8 }).subarray(2));
    expect(readJpegHeader(bytes)).toMatchObject({ ok: true, value: { width: 7, height: 8 } });
  });

  it("rejects a JPEG cut anywhere before the end of its frame header as truncated", () => {
    const bytes = jpegFrameBytes({ width: 9, height: 9, before: [jpegSegment(0xe1, new Uint8Array(40))] });
    const frameEnd = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xda);
    for (let length = 3; length < frameEnd; length++) {
      const result = readJpegHeader(bytes.subarray(0, length));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem).toMatch(/^is truncated/);
    }
  });

  it("rejects bytes that are not a marker where a segment should start", () => {
    const bytes = concat([0xff, 0xd8], jpegSegment(0xe0, [1, 2]), [0x12, 0x34]);
    expect(readJpegHeader(bytes)).toMatchObject({ ok: false, problem: "is corrupt: expected a marker at byte 8, found 0x12" });
  });

  it.each([
    [[0xff, 0xd9], "is corrupt: it ends (EOI) before any frame header (SOFn)"],
    [[0xff, 0xda, 0x00, 0x08], "is corrupt: scan data (SOS) comes before any frame header (SOFn)"],
    [[0xff, 0xd8], "is corrupt: a second SOI marker at byte 2"],
    [[0xff, 0x00], "is corrupt: a stuffed 0xff00 at byte 2 outside scan data"],
    [[0xff, 0xe0, 0x00, 0x01], "is corrupt: segment 0xe0 at byte 2 has length 1"],
  ])("rejects a corrupt marker sequence %j", (after, problem) => {
    expect(readJpegHeader(concat([0xff, 0xd8], after, new Uint8Array(16)))).toMatchObject({ ok: false, problem });
  });

  it("rejects frame headers whose fields are impossible or unsupported", () => {
    expect(readJpegHeader(jpegFrameBytes({ width: 0, height: 4 }))).toMatchObject({ ok: false, problem: "is corrupt: its width is 0" });
    expect(readJpegHeader(jpegFrameBytes({ width: 4, height: 0 }))).toMatchObject({
      ok: false,
      problem: "is not supported: its height is 0 (set later by a DNL marker)",
      kind: "unsupported",
    });
    expect(readJpegHeader(jpegFrameBytes({ width: 4, height: 4, precision: 1 }))).toMatchObject({
      ok: false,
      problem: "is corrupt: sample precision 1 is not 2..16 bits",
    });
    expect(readJpegHeader(jpegFrameBytes({ width: 4, height: 4, components: 5 }))).toMatchObject({
      ok: false,
      problem: "is not supported: it has 5 components; 1 to 4 are recognised",
      kind: "unsupported",
    });
    const badLength = concat([0xff, 0xd8], jpegSegment(0xc0, [8, 0, 4, 0, 4, 3, 1, 0x11, 0]), [0xff, 0xd9]);
    expect(readJpegHeader(badLength)).toMatchObject({ ok: false, problem: "is corrupt: the frame header is 11 bytes long, not 17" });
  });

  it("gives up after 4096 segments without a frame header, so the walk is bounded", () => {
    const comments = Array.from({ length: 4100 }, () => jpegSegment(0xfe, []));
    const bytes = concat([0xff, 0xd8], ...comments, jpegFrameBytes({ width: 1, height: 1 }).subarray(2));
    expect(readJpegHeader(bytes)).toMatchObject({
      ok: false,
      problem: "is not supported: no frame header (SOFn) within its first 4096 segments",
    });
  });

  it("rejects bytes without SOI", () => {
    expect(readJpegHeader(Uint8Array.of(0xff, 0xd8))).toMatchObject({ ok: false });
  });
});
