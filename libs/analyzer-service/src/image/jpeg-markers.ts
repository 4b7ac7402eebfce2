/** JPEG marker codes (the byte after 0xff) and how to tell them apart (ITU T.81, table B.1). */

/** Start of image. */
export const SOI = 0xd8;
/** End of image. */
export const EOI = 0xd9;
/** Start of scan: entropy-coded data follows its header. */
export const SOS = 0xda;

/** SOF0..SOF15 are frame headers, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
export function isFrameHeader(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Markers that stand alone, without a length: TEM and RST0..RST7. */
export function isStandalone(marker: number): boolean {
  return marker === 0x01 || isRestart(marker);
}

/** RST0..RST7, which may appear inside entropy-coded data. */
export function isRestart(marker: number): boolean {
  return marker >= 0xd0 && marker <= 0xd7;
}

/** A byte as messages show it: `0xc0`. */
export function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}
