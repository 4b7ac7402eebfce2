import jpeg from "jpeg-js";
import { PNG } from "pngjs";

/** A decoded image as 8-bit RGBA, with the channel count of the source (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
  /** width × height × 4 bytes, row-major. */
  readonly rgba: Uint8Array;
}

const isPng = (b: Uint8Array): boolean => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array): boolean => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** PNG colour types (PNG spec §11.2.2) to channel counts; palette images decode to RGB(A). */
function pngChannels(colorType: number, alpha: boolean): RgbaImage["channels"] {
  if (colorType === 0) return 1;
  if (colorType === 4) return 2;
  return alpha ? 4 : 3;
}

/** Decodes a PNG or JPEG file (recognised by its magic bytes) to 8-bit RGBA. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  if (isPng(bytes)) {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return {
      width: png.width,
      height: png.height,
      channels: pngChannels(png.colorType, png.alpha),
      rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength),
    };
  }
  if (isJpeg(bytes)) {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    return { width: img.width, height: img.height, channels: 3, rgba: img.data };
  }
  throw new Error("not a PNG or JPEG image");
}
