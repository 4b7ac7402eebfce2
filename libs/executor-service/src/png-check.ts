import { crc32, inflateSync } from "node:zlib";
import { type ImageRefusal, checkDimensions, corrupt } from "./image-check.js";
import type { ImageLimits } from "./worker-protocol.js";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
/** Signature (8), IHDR length and type (8), IHDR data (13), CRC (4). */
const HEADER_BYTES = 33;
const MAX_CHUNK_LENGTH = 0x7fffffff;

/** Channels and allowed bit depths of each PNG colour type (PNG §11.2.2). */
const COLOUR_TYPES: Readonly<Record<number, { readonly channels: number; readonly depths: readonly number[] }>> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};

/** The Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** True when the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= SIGNATURE.length && SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Checks a PNG before it is decoded, so that the decoder only ever sees a complete, consistent file of
 * allowed size: the IHDR header (refused over `limits` before anything else is read), every chunk complete
 * with a matching CRC up to IEND, a palette for an indexed-colour image, and the image data, inflated with
 * its output bounded to exactly the bytes the header's size needs, holding exactly those bytes with a valid
 * filter type on every row. Work and memory are bounded by the limits, whatever the file declares.
 * Undefined when the PNG may be decoded.
 */
export function checkPng(bytes: Uint8Array, limits: ImageLimits): ImageRefusal | undefined {
  if (bytes.length < HEADER_BYTES) {
    return corrupt(`it ends after ${bytes.length} bytes, before its ${HEADER_BYTES}-byte signature and IHDR header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (chunkType(bytes, 12) !== "IHDR" || view.getUint32(8) !== 13) return corrupt("its first chunk is not a 13-byte IHDR header");
  if (crc32(bytes.subarray(12, 29)) !== view.getUint32(29)) return corrupt("its IHDR header fails its CRC check");
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = bytes[24] ?? 0;
  const colourType = bytes[25] ?? 0;
  const interlaced = bytes[28] === 1;
  const colour = COLOUR_TYPES[colourType];
  if (colour === undefined || !colour.depths.includes(depth)) {
    return corrupt(`its header gives colour type ${colourType} with bit depth ${depth}, which PNG does not define`);
  }
  if (bytes[26] !== 0 || bytes[27] !== 0 || (bytes[28] ?? 0) > 1) {
    return corrupt("its header gives a compression, filter or interlace method that PNG does not define");
  }
  if (width > MAX_CHUNK_LENGTH || height > MAX_CHUNK_LENGTH) return corrupt(`its header gives a size of ${width}×${height} pixels`);
  const size = checkDimensions(width, height, limits);
  if (size !== undefined) return size;
  const chunks = readChunks(bytes, view);
  if ("detail" in chunks) return chunks;
  if (colourType === 3 && !chunks.palette) return corrupt("it is an indexed-colour image without its palette (PLTE chunk)");
  const rows = rowsOf(width, height, colour.channels * depth, interlaced);
  const problem = checkImageData(chunks.data, rows, `${width}×${height}`);
  return problem === undefined ? undefined : corrupt(problem);
}

interface Chunks {
  readonly data: Buffer;
  readonly palette: boolean;
}

function readChunks(bytes: Uint8Array, view: DataView): Chunks | ImageRefusal {
  const data: Uint8Array[] = [];
  let palette = false;
  for (let pos = HEADER_BYTES; ; ) {
    if (pos + 8 > bytes.length) return corrupt(`it ends after ${bytes.length} bytes, before its IEND chunk`);
    const length = view.getUint32(pos);
    const type = chunkType(bytes, pos + 4);
    if (length > MAX_CHUNK_LENGTH || !/^[A-Za-z]{4}$/.test(type)) {
      return corrupt(`it has a malformed chunk header at byte ${pos}`);
    }
    const end = pos + 12 + length;
    if (end > bytes.length) {
      return corrupt(`it ends after ${bytes.length} bytes, inside its ${type} chunk (which ends at byte ${end})`);
    }
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== view.getUint32(pos + 8 + length)) {
      return corrupt(`its ${type} chunk at byte ${pos} fails its CRC check`);
    }
    if (type === "IEND") break;
    if (type === "IDAT") data.push(bytes.subarray(pos + 8, pos + 8 + length));
    else if (type === "PLTE") palette = true;
    else if (type.charCodeAt(0) < 0x61) {
      return corrupt(`it has a critical chunk ${type} that PNG does not define`);
    }
    pos = end;
  }
  if (data.length === 0) return corrupt("it has no image data (IDAT chunk)");
  return { data: Buffer.concat(data), palette };
}

/** The rows of the filtered image data: how many of each length (in bytes, without the filter-type byte). */
type Rows = readonly { readonly count: number; readonly bytes: number }[];

function rowsOf(width: number, height: number, bitsPerPixel: number, interlaced: boolean): Rows {
  const rowBytes = (w: number) => Math.ceil((w * bitsPerPixel) / 8);
  if (!interlaced) return [{ count: height, bytes: rowBytes(width) }];
  return ADAM7.map(([x0, y0, dx, dy]) => {
    const w = width > x0 ? Math.ceil((width - x0) / dx) : 0;
    const h = height > y0 ? Math.ceil((height - y0) / dy) : 0;
    return { count: w === 0 ? 0 : h, bytes: rowBytes(w) };
  });
}

function checkImageData(compressed: Buffer, rows: Rows, size: string): string | undefined {
  const expected = rows.reduce((n, r) => n + r.count * (r.bytes + 1), 0);
  let data: Buffer;
  try {
    data = inflateSync(compressed, { maxOutputLength: expected });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_BUFFER_TOO_LARGE") return `its image data holds more than the ${expected} bytes a ${size} image has`;
    if (code === "Z_BUF_ERROR") return "its image data ends early (the file was cut short)";
    return "its compressed image data is damaged";
  }
  if (data.length !== expected) return `its image data holds ${data.length} bytes, but a ${size} image has ${expected}`;
  let at = 0;
  for (const { count, bytes } of rows) {
    for (let row = 0; row < count; row++, at += bytes + 1) {
      if ((data[at] ?? 0) > 4) return `its image data has an unknown filter type ${data[at] ?? 0} at byte ${at}`;
    }
  }
  return undefined;
}

function chunkType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
}
