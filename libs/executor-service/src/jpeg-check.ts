import { type ImageRefusal, checkDimensions, corrupt } from "./image-check.js";
import type { ImageLimits } from "./worker-protocol.js";

/**
 * The most scans (SOS segments) a JPEG may have. The decoder visits every block of the image once per scan,
 * so a small progressive JPEG with thousands of scans costs thousands of decodes; real encoders write 1 to
 * about 20.
 */
export const MAX_JPEG_SCANS = 100;

/** The frame types (SOFn) the decoder implements: baseline, extended and progressive Huffman DCT. */
const DECODED_FRAMES = new Set([0xc0, 0xc1, 0xc2]);

/** True when the bytes start with a JPEG SOI marker followed by another marker (FF D8 FF). */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/**
 * Checks a JPEG before it is decoded: walks its marker segments (skipping entropy-coded scan data) to the end
 * marker, refusing a frame whose size exceeds `limits` or that uses a coding process the decoder does not
 * implement (lossless, arithmetic, hierarchical), more than {@link MAX_JPEG_SCANS} scans, or no frame
 * header at all. What the walk cannot follow is left to the decoder, which tolerates some malformed segments
 * that phones write (and then refuses past its own limits). The walk is linear in the bytes. Undefined when
 * the JPEG may be decoded.
 */
export function checkJpeg(bytes: Uint8Array, limits: ImageLimits): ImageRefusal | undefined {
  let frame = false;
  let scans = 0;
  let pos = 2;
  while (pos < bytes.length) {
    if (bytes[pos] !== 0xff) return undefined;
    while (bytes[pos] === 0xff) pos++;
    const marker = bytes[pos++];
    if (marker === undefined) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === 0xd9) break;
    if (pos + 2 > bytes.length) break;
    const length = ((bytes[pos] ?? 0) << 8) | (bytes[pos + 1] ?? 0);
    if (length < 2) return undefined;
    if (isFrame(marker) && !frame) {
      frame = true;
      if (!DECODED_FRAMES.has(marker)) {
        return {
          kind: "unsupported",
          detail: `uses a JPEG coding process (SOF${marker - 0xc0}) the executor does not decode: send a baseline or progressive JPEG, or a PNG`,
        };
      }
      if (pos + 7 > bytes.length) return corrupt(`it ends after ${bytes.length} bytes, inside its frame header`);
      const height = ((bytes[pos + 3] ?? 0) << 8) | (bytes[pos + 4] ?? 0);
      const width = ((bytes[pos + 5] ?? 0) << 8) | (bytes[pos + 6] ?? 0);
      const size = checkDimensions(width, height, limits);
      if (size !== undefined) return size;
    }
    pos += length;
    if (marker === 0xda) {
      if (++scans > MAX_JPEG_SCANS) return { kind: "limit", detail: `has more than ${MAX_JPEG_SCANS} scans, the executor's limit` };
      pos = afterScanData(bytes, pos);
    }
  }
  return frame ? undefined : corrupt(`it has no frame header (SOFn) in its ${bytes.length} bytes`);
}

/** SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** The position of the first marker after entropy-coded data starting at `pos` (stuffed FF 00 and RSTn are data). */
function afterScanData(bytes: Uint8Array, pos: number): number {
  for (let at = indexOfFF(bytes, pos); at >= 0; at = indexOfFF(bytes, at + 1)) {
    const next = bytes[at + 1];
    if (next === undefined) return bytes.length;
    if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) return at;
  }
  return bytes.length;
}

function indexOfFF(bytes: Uint8Array, from: number): number {
  return bytes.indexOf(0xff, from);
}
