import { hasTag, u16be, u8 } from "../common/byte-reader.js";
import { type Detection, detected, rejected, unsupported } from "../common/detection.js";
import type { ImageHeader } from "./image-header.js";
import { EOI, SOI, SOS, hex, isFrameHeader, isStandalone } from "./jpeg-markers.js";

const SOI_BYTES = [0xff, SOI, 0xff] as const;
/** A frame header is found within this many segments or the file is rejected: the walk is bounded. */
const MAX_SEGMENTS = 4096;
/** Marker length (2) + precision (1) + height (2) + width (2) + component count (1). */
const SOF_FIXED_BYTES = 8;

/** True when the bytes start with a JPEG SOI marker followed by another marker (FF D8 FF). */
export function isJpeg(bytes: Uint8Array): boolean {
  return hasTag(bytes, 0, SOI_BYTES);
}

/**
 * Walks a JPEG's marker segments from SOI to the first frame header (SOFn: baseline, extended, progressive,
 * lossless, arithmetic or hierarchical) and reads width, height, sample precision and component count
 * (→ channels: 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK). Every segment length is checked against the bytes, and the
 * walk stops after {@link MAX_SEGMENTS} segments.
 */
export function readJpegHeader(bytes: Uint8Array): Detection<ImageHeader> {
  if (!isJpeg(bytes)) return rejected("does not start with the JPEG SOI marker ff d8 ff");
  const end = bytes.length;
  let pos = 2;
  for (let segments = 0; segments < MAX_SEGMENTS; segments++) {
    if (pos >= end) return rejected(`is truncated: it ends after ${end} bytes, before a frame header (SOFn)`);
    if (u8(bytes, pos) !== 0xff) {
      return rejected(`is corrupt: expected a marker at byte ${pos}, found ${hex(u8(bytes, pos))}`);
    }
    while (pos < end && u8(bytes, pos) === 0xff) pos++;
    if (pos >= end) return rejected(`is truncated: it ends after ${end} bytes, inside a marker`);
    const marker = u8(bytes, pos);
    pos++;
    if (isStandalone(marker)) continue;
    if (marker === 0x00) return rejected(`is corrupt: a stuffed 0xff00 at byte ${pos - 2} outside scan data`);
    if (marker === SOI) return rejected(`is corrupt: a second SOI marker at byte ${pos - 2}`);
    if (marker === EOI) return rejected("is corrupt: it ends (EOI) before any frame header (SOFn)");
    if (marker === SOS) return rejected("is corrupt: scan data (SOS) comes before any frame header (SOFn)");
    if (pos + 2 > end) return rejected(`is truncated: it ends inside the length of segment ${hex(marker)}`);
    const length = u16be(bytes, pos);
    if (length < 2) return rejected(`is corrupt: segment ${hex(marker)} at byte ${pos - 2} has length ${length}`);
    if (isFrameHeader(marker)) return readFrameHeader(bytes, pos, marker, length);
    pos += length;
  }
  return unsupported(`no frame header (SOFn) within its first ${MAX_SEGMENTS} segments`);
}

function readFrameHeader(bytes: Uint8Array, pos: number, marker: number, length: number): Detection<ImageHeader> {
  if (pos + SOF_FIXED_BYTES > bytes.length || pos + length > bytes.length) {
    return rejected(`is truncated: it ends inside its frame header (SOF${marker - 0xc0})`);
  }
  const precision = u8(bytes, pos + 2);
  const height = u16be(bytes, pos + 3);
  const width = u16be(bytes, pos + 5);
  const components = u8(bytes, pos + 7);
  if (length !== SOF_FIXED_BYTES + 3 * components) {
    return rejected(`is corrupt: the frame header is ${length} bytes long, not ${SOF_FIXED_BYTES + 3 * components}`);
  }
  if (precision < 2 || precision > 16) return rejected(`is corrupt: sample precision ${precision} is not 2..16 bits`);
  if (width === 0) return rejected("is corrupt: its width is 0");
  if (height === 0) return unsupported("its height is 0 (set later by a DNL marker)");
  if (components < 1 || components > 4) {
    return unsupported(`it has ${components} components; 1 to 4 are recognised`);
  }
  return detected({ format: "jpeg", width, height, channels: components, bitDepth: precision });
}
