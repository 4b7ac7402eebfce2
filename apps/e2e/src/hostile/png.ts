import { crc32, deflateSync } from "node:zlib";

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A valid 8-bit grayscale PNG of `width` × `height` whose pixels are `pixel(x, y)` (0–255). */
export function grayscalePng(width: number, height: number, pixel: (x: number, y: number) => number): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width + 1);
    rows[row] = 0; // no filter
    for (let x = 0; x < width; x++) rows[row + 1 + x] = pixel(x, y) & 0xff;
  }
  return Buffer.concat([SIGNATURE, chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

/** A 1024 × 1024 scan of a "1" (a dark vertical bar on white): a real image that takes real work to decode and shrink. */
export function largeDigitScan(): Uint8Array {
  return grayscalePng(1024, 1024, (x, y) => (x > 450 && x < 570 && y > 150 && y < 870 ? 20 : 235 + ((x * 7 + y * 13) % 16)));
}

/**
 * A 10,000 × 10,000 8-bit grey PNG in a few hundred bytes: a real header and the first rows of its data only. A
 * decoder would allocate 100 MB (400 MB as RGBA) for it; it must be refused from its header.
 */
export function hugePngHeader(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(10_000, 0);
  header.writeUInt32BE(10_000, 4);
  header[8] = 8;
  header[9] = 0;
  const rows = deflateSync(Buffer.alloc(10_001 * 4));
  return Buffer.concat([SIGNATURE, chunk("IHDR", header), chunk("IDAT", rows), chunk("IEND", Buffer.alloc(0))]);
}
