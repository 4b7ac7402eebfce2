import { crc32 } from "node:zlib";
import { asciiTag, u32be, u8 } from "../common/byte-reader.js";
import { type Detection, type Problem, detected, rejected } from "../common/detection.js";

const SIGNATURE_BYTES = 8;
/** Length (4) + type (4) + CRC (4). */
const CHUNK_OVERHEAD = 12;
/** The PNG specification's bound on a chunk's length (§5.3). */
const MAX_CHUNK_LENGTH = 0x7fffffff;
/** Colour type 3: the pixels are indexes into a PLTE chunk. */
const INDEXED_COLOUR = 3;

/** A chunk type as the big-endian number of its four ASCII letters. */
function typeCode(name: string): number {
  return ((name.charCodeAt(0) << 24) | (name.charCodeAt(1) << 16) | (name.charCodeAt(2) << 8) | name.charCodeAt(3)) >>> 0;
}

const IHDR = typeCode("IHDR");
const PLTE = typeCode("PLTE");
const IDAT = typeCode("IDAT");
const IEND = typeCode("IEND");
const KNOWN_CRITICAL: ReadonlySet<number> = new Set([IHDR, PLTE, IDAT, IEND]);
/** The ancillary chunks a decoder reads to produce the pixels, so their CRC is checked like a critical chunk's. */
const PIXEL_ANCILLARY: ReadonlySet<number> = new Set([typeCode("tRNS"), typeCode("gAMA")]);

/**
 * Called by {@link walkPngChunks} with each chunk whose bytes (length, type, data and CRC) lie within the file:
 * its type as the number `walkPngChunks` reads it (see `chunkName`), the offset of its length field, and the
 * length of its data. Returns a problem to stop the walk.
 */
export type PngChunkVisitor = (type: number, offset: number, length: number) => Problem | undefined;

/** A chunk type's four letters, for messages. */
function chunkName(bytes: Uint8Array, offset: number): string {
  return asciiTag(bytes, offset + 4, 4);
}

/** True when each byte of a chunk type is an ASCII letter. */
function isChunkType(type: number): boolean {
  for (let shift = 0; shift < 32; shift += 8) {
    const b = (type >>> shift) & 0xff;
    if (!((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a))) return false;
  }
  return true;
}

/**
 * Walks a PNG's chunks from the one after the signature to IEND, calling `visit` with each chunk that lies
 * within the file, and returns where IEND ends, or the problem that stopped the walk: a chunk running past the
 * end, a length over 2³¹−1, a type that is not four letters, bytes that end without IEND, or the visitor's.
 * Reads nothing but the chunk headers and allocates nothing per chunk: one step per chunk, each step past at
 * least 12 bytes.
 */
export function walkPngChunks(bytes: Uint8Array, visit: PngChunkVisitor): Detection<number> {
  const end = bytes.length;
  let pos = SIGNATURE_BYTES;
  for (;;) {
    if (pos + CHUNK_OVERHEAD > end) {
      return rejected(`is truncated: it ends after ${end} bytes without an IEND chunk (the last chunk of every PNG)`);
    }
    const length = u32be(bytes, pos);
    const type = u32be(bytes, pos + 4);
    if (!isChunkType(type)) {
      return rejected(`is corrupt: the chunk at byte ${pos} has the type '${chunkName(bytes, pos)}', which is not four letters`);
    }
    if (length > MAX_CHUNK_LENGTH) {
      return rejected(`is corrupt: chunk '${chunkName(bytes, pos)}' at byte ${pos} declares ${length} bytes, more than 2^31-1`);
    }
    const available = end - pos - CHUNK_OVERHEAD;
    if (length > available) {
      return rejected(`is truncated: chunk '${chunkName(bytes, pos)}' at byte ${pos} declares ${length} bytes but ${Math.max(0, available)} follow`);
    }
    const problem = visit(type, pos, length);
    if (problem !== undefined) return problem;
    pos += CHUNK_OVERHEAD + length;
    if (type === IEND) return detected(pos);
  }
}

/**
 * Checks a PNG's structure after its IHDR chunk (see `readPngHeader`) without inflating its image data: every
 * chunk lies within the bytes; the CRC of every critical chunk and of tRNS and gAMA matches; no critical chunk is
 * unknown; a palette image has one PLTE chunk before its image data; there is image data (IDAT); and the file
 * ends with an empty IEND chunk, with nothing after it. Linear in the size of the bytes.
 */
export function checkPngChunks(bytes: Uint8Array): Detection<void> {
  const indexed = u8(bytes, 25) === INDEXED_COLOUR;
  let palettes = 0;
  let idat = false;
  const walked = walkPngChunks(bytes, (type, offset, length) => {
    const problem = crcProblem(bytes, type, offset, length);
    if (problem !== undefined) return problem;
    if (type === IHDR && offset !== SIGNATURE_BYTES) return rejected(`is corrupt: a second IHDR chunk at byte ${offset}`);
    if (type === PLTE) {
      if (idat) return rejected(`is corrupt: its PLTE chunk at byte ${offset} comes after the image data (IDAT)`);
      if (++palettes > 1) return rejected(`is corrupt: a second PLTE chunk at byte ${offset}`);
      if (length === 0 || length % 3 !== 0 || length > 768) {
        return rejected(`is corrupt: its PLTE chunk is ${length} bytes long, not 3 bytes for each of 1 to 256 colours`);
      }
    } else if (type === IDAT) {
      if (indexed && palettes === 0) {
        return rejected("is corrupt: an indexed-colour PNG needs a PLTE chunk before its image data (IDAT)");
      }
      idat = true;
    } else if (type === IEND) {
      if (length !== 0) return rejected(`is corrupt: its IEND chunk holds ${length} bytes instead of none`);
      if (!idat) return rejected("is corrupt: it has no image data (no IDAT chunk)");
    }
    return undefined;
  });
  if (!walked.ok) return walked;
  const trailing = bytes.length - walked.value;
  if (trailing > 0) return rejected(`is corrupt: ${trailing} bytes follow its IEND chunk, which ends a PNG`);
  return detected(undefined);
}

/** An unknown critical chunk, or a bad CRC on a chunk that a decoder reads. */
function crcProblem(bytes: Uint8Array, type: number, offset: number, length: number): Problem | undefined {
  const critical = (type & 0x20000000) === 0;
  if (critical && !KNOWN_CRITICAL.has(type)) {
    return rejected(`is corrupt: chunk '${chunkName(bytes, offset)}' at byte ${offset} is critical but unknown, so no decoder can read the file`);
  }
  if (!critical && !PIXEL_ANCILLARY.has(type)) return undefined;
  const stored = u32be(bytes, offset + 8 + length);
  if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== stored) {
    return rejected(`is corrupt: the CRC of chunk '${chunkName(bytes, offset)}' at byte ${offset} does not match its bytes`);
  }
  return undefined;
}
