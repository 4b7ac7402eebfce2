import { u16be, u8 } from "../common/byte-reader.js";
import { type Detection, type Problem, detected, rejected, unsupported } from "../common/detection.js";
import { EOI, SOI, SOS, hex, isFrameHeader, isRestart, isStandalone } from "./jpeg-markers.js";

/** Length (2) + component count (1) + one component (2) + spectral selection and approximation (3). */
const SOS_MIN_BYTES = 8;

/** The coding processes modelrouter decodes (jpeg-js, in the executor): baseline, extended and progressive, Huffman-coded. */
const TAKEN_FRAMES: ReadonlySet<number> = new Set([0xc0, 0xc1, 0xc2]);
/** How messages name the other coding processes. */
const OTHER_FRAMES: Readonly<Record<number, string>> = {
  0xc3: "lossless",
  0xc5: "differential sequential (hierarchical)",
  0xc6: "differential progressive (hierarchical)",
  0xc7: "differential lossless (hierarchical)",
  0xc9: "arithmetic-coded sequential",
  0xca: "arithmetic-coded progressive",
  0xcb: "arithmetic-coded lossless",
  0xcd: "arithmetic-coded differential sequential",
  0xce: "arithmetic-coded differential progressive",
  0xcf: "arithmetic-coded differential lossless",
};

/**
 * Called by {@link walkJpeg} with each step of the walk: a marker with its segment (`end` is past the segment;
 * a standalone marker has none), or, with marker 0, a run of entropy-coded data after a scan header up to the
 * next marker that is not a restart. `offset` is the marker's 0xff or the first byte of scan data. Returns a
 * problem to stop the walk.
 */
export type JpegStepVisitor = (marker: number, offset: number, end: number) => Problem | undefined;

/**
 * Walks a JPEG from the marker after SOI to EOI: each marker segment must lie within the bytes, and the
 * entropy-coded data after each scan header is skipped up to the next marker (stuffed 0xff00 bytes and restart
 * markers belong to the data). Returns where EOI ends, or the problem that stopped the walk. Every step moves
 * forward and scan data is searched once, so the work is linear in the size of the bytes; nothing is
 * allocated per step. Bytes after EOI are not read (cameras append thumbnails and padding there).
 */
export function walkJpeg(bytes: Uint8Array, visit: JpegStepVisitor): Detection<number> {
  const end = bytes.length;
  let pos = 2;
  let scanData = false;
  for (;;) {
    if (scanData) {
      const next = nextMarker(bytes, pos);
      if (next < 0) {
        return rejected(`is truncated: it ends after ${end} bytes, inside scan data, before the EOI marker that ends every JPEG`);
      }
      const problem = visit(0, pos, next);
      if (problem !== undefined) return problem;
      pos = next;
      scanData = false;
    }
    if (pos >= end) return rejected(`is truncated: it ends after ${end} bytes without the EOI marker that ends every JPEG`);
    if (u8(bytes, pos) !== 0xff) return rejected(`is corrupt: expected a marker at byte ${pos}, found ${hex(u8(bytes, pos))}`);
    while (pos < end && u8(bytes, pos) === 0xff) pos++;
    if (pos >= end) return rejected(`is truncated: it ends after ${end} bytes, inside a marker`);
    const marker = u8(bytes, pos);
    const offset = pos - 1;
    pos++;
    if (isStandalone(marker) || marker === EOI) {
      const problem = visit(marker, offset, pos);
      if (problem !== undefined) return problem;
      if (marker === EOI) return detected(pos);
      continue;
    }
    if (marker === 0x00) return rejected(`is corrupt: a stuffed 0xff00 at byte ${offset} outside scan data`);
    if (marker === SOI) return rejected(`is corrupt: a second SOI marker at byte ${offset}`);
    if (pos + 2 > end) return rejected(`is truncated: it ends inside the length of segment ${hex(marker)} at byte ${offset}`);
    const length = u16be(bytes, pos);
    if (length < 2) return rejected(`is corrupt: segment ${hex(marker)} at byte ${offset} has length ${length}`);
    if (pos + length > end) {
      return rejected(`is truncated: segment ${hex(marker)} at byte ${offset} declares ${length} bytes but ${end - pos} follow`);
    }
    const problem = visit(marker, offset, pos + length);
    if (problem !== undefined) return problem;
    pos += length;
    scanData = marker === SOS;
  }
}

/** The 0xff of the first marker at or after `from` that ends entropy-coded data, or -1 when the bytes end first. */
function nextMarker(bytes: Uint8Array, from: number): number {
  let i = from;
  for (;;) {
    i = bytes.indexOf(0xff, i);
    if (i < 0 || i + 1 >= bytes.length) return -1;
    const next = bytes[i + 1] as number;
    if (next === 0x00 || isRestart(next)) i += 2;
    else if (next === 0xff) i += 1;
    else return i;
  }
}

/**
 * Checks a JPEG's structure from SOI to EOI without decoding it (see {@link walkJpeg}): exactly one frame,
 * coded in a way modelrouter decodes (baseline, extended or progressive Huffman: SOF0–SOF2; others are
 * unsupported), at least one scan after the frame header, each scan header well-formed, and an EOI marker.
 */
export function checkJpegSegments(bytes: Uint8Array): Detection<void> {
  let frame = false;
  let scans = 0;
  const walked = walkJpeg(bytes, (marker, offset, end) => {
    if (isFrameHeader(marker)) {
      if (frame) return unsupported(`it has a second frame header at byte ${offset}; one frame is taken`);
      frame = true;
      return frameProblem(marker);
    }
    if (marker !== SOS) return undefined;
    if (!frame) return rejected("is corrupt: scan data (SOS) comes before any frame header (SOFn)");
    scans++;
    return scanHeaderProblem(bytes, offset, end);
  });
  if (!walked.ok) return walked;
  if (scans === 0) return rejected("is corrupt: it ends (EOI) without any scan data (SOS)");
  return detected(undefined);
}

function frameProblem(marker: number): Problem | undefined {
  if (TAKEN_FRAMES.has(marker)) return undefined;
  const name = OTHER_FRAMES[marker] ?? "of an unknown coding process";
  return unsupported(
    `it is ${name} (SOF${marker - 0xc0}); baseline, extended and progressive Huffman-coded JPEGs (SOF0, SOF1, SOF2) are taken`,
  );
}

function scanHeaderProblem(bytes: Uint8Array, offset: number, end: number): Problem | undefined {
  const length = end - offset - 2;
  if (length < SOS_MIN_BYTES) return rejected(`is corrupt: the scan header (SOS) at byte ${offset} is ${length} bytes long`);
  const components = u8(bytes, offset + 4);
  if (components < 1 || components > 4 || length !== 6 + 2 * components) {
    return rejected(`is corrupt: the scan header (SOS) at byte ${offset} is ${length} bytes long for ${components} components`);
  }
  return undefined;
}
