/**
 * Real media bytes for the specs: PNGs from pngjs, JPEGs from jpeg-js, and hand-written headers (WAV, GIF,
 * WebP, BMP, PNG and JPEG variants those encoders do not write), built from their specifications.
 */
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import { crc32, deflateSync } from "node:zlib";

/** The bytes of several parts, one after the other. */
export function concat(...parts: ReadonlyArray<Uint8Array | readonly number[]>): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** ASCII (or Latin-1) text as bytes. */
export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** UTF-8 text as bytes. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function u16le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff];
}

export function u16be(n: number): number[] {
  return [(n >>> 8) & 0xff, n & 0xff];
}

export function u32le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

export function u32be(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** The 8 bytes every PNG starts with. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG encoded by pngjs, filled with a gradient. */
export function pngBytes(options: { width: number; height: number; colorType?: 0 | 2 | 4 | 6; bitDepth?: 8 | 16 }): Uint8Array {
  const png = new pngjs.PNG({ width: options.width, height: options.height });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 7) & 0xff;
  const written = pngjs.PNG.sync.write(png, { colorType: options.colorType ?? 6, bitDepth: options.bitDepth ?? 8 });
  return new Uint8Array(written.buffer, written.byteOffset, written.length);
}

/** A PNG chunk: length, type, data and CRC. */
export function pngChunk(type: string, data: Uint8Array | readonly number[]): Uint8Array {
  const typeAndData = concat(ascii(type), data);
  return concat(u32be(data.length), typeAndData, u32be(crc32(typeAndData)));
}

/**
 * A PNG signature, an IHDR chunk with the given fields (and a correct CRC), a PLTE chunk of 2 colours for
 * colour type 3, an IDAT chunk holding an empty zlib stream (the analyzer never inflates it), and IEND.
 */
export function pngHeaderBytes(ihdr: {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  compression?: number;
  filter?: number;
  interlace?: number;
}): Uint8Array {
  const data = concat(u32be(ihdr.width), u32be(ihdr.height), [
    ihdr.bitDepth,
    ihdr.colourType,
    ihdr.compression ?? 0,
    ihdr.filter ?? 0,
    ihdr.interlace ?? 0,
  ]);
  const palette = ihdr.colourType === 3 ? [pngChunk("PLTE", [0, 0, 0, 255, 255, 255])] : [];
  return concat(
    PNG_SIGNATURE,
    pngChunk("IHDR", data),
    ...palette,
    pngChunk("IDAT", deflateSync(new Uint8Array(0))),
    pngChunk("IEND", []),
  );
}

/** A baseline JPEG (SOF0, 3 components) encoded by jpeg-js. */
export function jpegBytes(options: { width: number; height: number; quality?: number }): Uint8Array {
  const data = new Uint8Array(options.width * options.height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13) & 0xff;
  const encoded = jpeg.encode({ data, width: options.width, height: options.height }, options.quality ?? 80);
  return new Uint8Array(encoded.data.buffer, encoded.data.byteOffset, encoded.data.length);
}

/** A JPEG marker segment: FF, the marker, the length (payload + 2) and the payload. */
export function jpegSegment(marker: number, payload: Uint8Array | readonly number[]): Uint8Array {
  return concat([0xff, marker], u16be(payload.length + 2), payload);
}

/**
 * SOI, a JFIF APP0, the given segments, a frame header (SOFn), a scan header (SOS) with two bytes of scan data,
 * and EOI: the structure of a JPEG of any SOF type, without real image data.
 */
export function jpegFrameBytes(frame: {
  width: number;
  height: number;
  components?: number;
  precision?: number;
  sof?: number;
  before?: readonly Uint8Array[];
}): Uint8Array {
  const components = frame.components ?? 3;
  const specs: number[] = [];
  for (let c = 1; c <= components; c++) specs.push(c, 0x11, 0);
  const sof = jpegSegment(frame.sof ?? 0xc0, concat([frame.precision ?? 8], u16be(frame.height), u16be(frame.width), [components], specs));
  const app0 = jpegSegment(0xe0, concat(ascii("JFIF\0"), [1, 1, 0], u16be(1), u16be(1), [0, 0]));
  const selectors: number[] = [];
  for (let c = 1; c <= Math.min(components, 4); c++) selectors.push(c, 0x00);
  const sos = jpegSegment(0xda, concat([Math.min(components, 4)], selectors, [0, 63, 0]));
  return concat([0xff, 0xd8], app0, ...(frame.before ?? []), sof, sos, [0x12, 0x34], [0xff, 0xd9]);
}

/** The sample encodings {@link wavBytes} can write. */
export type WavLayout = "pcm" | "float" | "extensible-pcm" | "extensible-float";

/** A WAV file: RIFF/WAVE, optional chunks, `fmt `, more optional chunks, and `data` of silence. */
export function wavBytes(options: {
  sampleRateHz?: number;
  channels?: number;
  bitsPerSample?: number;
  layout?: WavLayout;
  frames?: number;
  /** Chunks written before `fmt ` and before `data` (odd sizes get their pad byte). */
  chunksBeforeFmt?: ReadonlyArray<{ id: string; size: number }>;
  chunksBeforeData?: ReadonlyArray<{ id: string; size: number }>;
  /** The size written in the data chunk header, if not the real one. */
  declaredDataSize?: number;
}): Uint8Array {
  const sampleRate = options.sampleRateHz ?? 16_000;
  const channels = options.channels ?? 1;
  const bits = options.bitsPerSample ?? 16;
  const layout = options.layout ?? "pcm";
  const blockAlign = (channels * bits) / 8;
  const tag = layout === "pcm" || layout === "extensible-pcm" ? 1 : 3;
  const extensible = layout.startsWith("extensible");
  const common = concat(
    u16le(extensible ? 0xfffe : tag),
    u16le(channels),
    u32le(sampleRate),
    u32le(sampleRate * blockAlign),
    u16le(blockAlign),
    u16le(bits),
  );
  const guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
  const fmtBody = extensible ? concat(common, u16le(22), u16le(bits), u32le(0), u16le(tag), guidTail) : common;
  const chunk = (id: string, body: Uint8Array): Uint8Array =>
    concat(ascii(id), u32le(body.length), body, body.length % 2 === 1 ? [0] : []);
  const filler = (list: ReadonlyArray<{ id: string; size: number }> | undefined): Uint8Array[] =>
    (list ?? []).map((c) => chunk(c.id, new Uint8Array(c.size).fill(0x41)));
  const dataBody = new Uint8Array((options.frames ?? sampleRate) * blockAlign);
  const data = concat(ascii("data"), u32le(options.declaredDataSize ?? dataBody.length), dataBody);
  const body = concat(ascii("WAVE"), ...filler(options.chunksBeforeFmt), chunk("fmt ", fmtBody), ...filler(options.chunksBeforeData), data);
  return concat(ascii("RIFF"), u32le(body.length), body);
}

/** A GIF89a header and logical screen descriptor, an optional global colour table, and the trailer. */
export function gifBytes(options: { width: number; height: number; tableBits?: number; version?: "87a" | "89a" }): Uint8Array {
  const bits = options.tableBits;
  const packed = bits === undefined ? 0x70 : 0xf0 | (bits - 1);
  const table = bits === undefined ? new Uint8Array(0) : new Uint8Array(3 * 2 ** bits);
  return concat(ascii(`GIF${options.version ?? "89a"}`), u16le(options.width), u16le(options.height), [packed, 0, 0], table, [0x3b]);
}

function riff(form: string, chunks: Uint8Array): Uint8Array {
  return concat(ascii("RIFF"), u32le(4 + chunks.length), ascii(form), chunks);
}

/** A lossy WebP: a VP8 key frame header of the given size. */
export function webpLossyBytes(width: number, height: number): Uint8Array {
  const frame = concat([0x10, 0x02, 0x00], [0x9d, 0x01, 0x2a], u16le(width), u16le(height), new Uint8Array(10));
  return riff("WEBP", concat(ascii("VP8 "), u32le(frame.length), frame));
}

/** A lossless WebP: a VP8L header of the given size and alpha flag. */
export function webpLosslessBytes(width: number, height: number, alpha: boolean): Uint8Array {
  const w = width - 1;
  const h = height - 1;
  const bits = [w & 0xff, ((w >> 8) & 0x3f) | ((h & 0x03) << 6), (h >> 2) & 0xff, ((h >> 10) & 0x0f) | (alpha ? 0x10 : 0)];
  const body = concat([0x2f], bits, new Uint8Array(5));
  return riff("WEBP", concat(ascii("VP8L"), u32le(body.length), body, body.length % 2 ? [0] : []));
}

/** An extended WebP: a VP8X header of the given canvas size and alpha flag. */
export function webpExtendedBytes(width: number, height: number, alpha: boolean): Uint8Array {
  const w = width - 1;
  const h = height - 1;
  const body = concat([alpha ? 0x10 : 0, 0, 0, 0], [w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff], [h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]);
  return riff("WEBP", concat(ascii("VP8X"), u32le(body.length), body));
}

/**
 * A BMP file header and DIB header (BITMAPCOREHEADER, BITMAPINFOHEADER, V4 or V5), without pixels. An alpha
 * mask goes into a V4/V5 header, or after an info header with BI_ALPHABITFIELDS.
 */
export function bmpBytes(options: {
  width: number;
  height: number;
  bitsPerPixel: number;
  dibSize?: 12 | 40 | 108 | 124;
  alphaMask?: number;
}): Uint8Array {
  const dibSize = options.dibSize ?? 40;
  let dib: Uint8Array;
  if (dibSize === 12) {
    dib = concat(u32le(12), u16le(options.width), u16le(options.height), u16le(1), u16le(options.bitsPerPixel));
  } else {
    const extended = dibSize > 40;
    const compression = extended ? 3 : options.alphaMask === undefined ? 0 : 6;
    const info = concat(
      u32le(dibSize),
      u32le(options.width),
      u32le(options.height),
      u16le(1),
      u16le(options.bitsPerPixel),
      u32le(compression),
      new Uint8Array(20),
    );
    const masks = concat(u32le(0xff0000), u32le(0xff00), u32le(0xff), u32le(options.alphaMask ?? 0));
    if (extended) dib = concat(info, masks, new Uint8Array(dibSize - info.length - masks.length));
    else dib = compression === 6 ? concat(info, masks) : info;
  }
  return concat(ascii("BM"), u32le(14 + dib.length), u32le(0), u32le(14 + dib.length), dib);
}
