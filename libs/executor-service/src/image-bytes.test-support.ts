/**
 * Hand-made image bytes for tests of what the executor refuses: PNGs with any header and image data, JPEGs
 * with a patched frame size or many scans, and the first bytes of formats the executor does not decode.
 */
import { crc32, deflateSync } from "node:zlib";
import jpeg from "jpeg-js";

/** One PNG chunk: length, type, data and CRC. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(new TextEncoder().encode(type), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

/** What a crafted PNG's IHDR says. */
export interface PngHeader {
  readonly width: number;
  readonly height: number;
  /** Default 8. */
  readonly depth?: number;
  /** Default 0 (greyscale). */
  readonly colourType?: number;
  /** Default false. */
  readonly interlaced?: boolean;
}

/** A PNG with the given header whose single IDAT chunk holds `imageData` (compressed with zlib here). */
export function craftPng(header: PngHeader, imageData: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, header.width);
  view.setUint32(4, header.height);
  ihdr.set([header.depth ?? 8, header.colourType ?? 0, 0, 0, header.interlaced === true ? 1 : 0], 8);
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(imageData)),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

/** A valid grey 8×8 baseline JPEG. */
export function smallJpeg(): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(8 * 8 * 4, 128) }, 90).data);
}

/** A valid small JPEG whose frame header (SOF0) is patched to say `width`×`height`. */
export function jpegDeclaring(width: number, height: number): Uint8Array {
  const bytes = smallJpeg();
  const at = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
  const view = new DataView(bytes.buffer);
  view.setUint16(at + 5, height);
  view.setUint16(at + 7, width);
  return bytes;
}

/** The small JPEG with its frame header's marker changed to `marker` (for example 0xc3, lossless). */
export function jpegWithFrameMarker(marker: number): Uint8Array {
  const bytes = smallJpeg();
  const at = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
  bytes[at + 1] = marker;
  return bytes;
}

/** A JPEG skeleton: SOI, an 8×8 grey frame header, `scans` scans of a few bytes each, EOI. */
export function jpegWithScans(scans: number): Uint8Array {
  const sof = [0xff, 0xc2, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00];
  const sos = [0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x12, 0x34, 0xff, 0x00, 0x56];
  return new Uint8Array([0xff, 0xd8, ...sof, ...Array.from({ length: scans }, () => sos).flat(), 0xff, 0xd9]);
}

/** The first bytes of images in formats the executor does not decode. */
export const undecodableImages: Readonly<Record<"GIF" | "WebP" | "BMP", Uint8Array>> = {
  GIF: concat([ascii("GIF89a"), new Uint8Array([8, 0, 8, 0, 0, 0, 0, 0x3b])]),
  WebP: concat([ascii("RIFF"), new Uint8Array([26, 0, 0, 0]), ascii("WEBPVP8 "), new Uint8Array(14)]),
  BMP: concat([ascii("BM"), new Uint8Array(12), new Uint8Array([40, 0, 0, 0]), new Uint8Array(36)]),
};

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
