import type { RgbaPixels } from "./image-pixels.js";

/** Colour channels of a grey pixel may differ by this many levels (of 255), for encoders' rounding (JPEG's YCbCr). */
const GREY_TOLERANCE = 2;

/** True when every pixel has R, G and B within {@link GREY_TOLERANCE} of each other; alpha is ignored. */
export function allGrey(pixels: RgbaPixels): boolean {
  const { rgba } = pixels;
  for (let i = 0; i + 2 < rgba.length; i += 4) {
    const r = rgba[i] as number;
    const g = rgba[i + 1] as number;
    const b = rgba[i + 2] as number;
    if (Math.abs(r - g) > GREY_TOLERANCE || Math.abs(g - b) > GREY_TOLERANCE || Math.abs(r - b) > GREY_TOLERANCE) return false;
  }
  return true;
}

/** The image in grey (ITU-R BT.601 luma, 0..255), box-averaged down so that neither side exceeds `maxSide`. */
export function downsampledGrey(pixels: RgbaPixels, maxSide: number): { width: number; height: number; grey: Float64Array } {
  const { width, height, rgba } = pixels;
  const step = Math.max(1, Math.ceil(Math.max(width, height) / maxSide));
  const w = Math.ceil(width / step);
  const h = Math.ceil(height / step);
  const sums = new Float64Array(w * h);
  const counts = new Uint32Array(w * h);
  const columnCell = Int32Array.from({ length: width }, (_, x) => Math.floor(x / step));
  for (let y = 0, i = 0; y < height; y++) {
    const row = Math.floor(y / step) * w;
    for (let x = 0; x < width; x++, i += 4) {
      const cell = row + (columnCell[x] as number);
      sums[cell] = (sums[cell] as number) + 0.299 * (rgba[i] as number) + 0.587 * (rgba[i + 1] as number) + 0.114 * (rgba[i + 2] as number);
      counts[cell] = (counts[cell] as number) + 1;
    }
  }
  for (let c = 0; c < sums.length; c++) sums[c] = (sums[c] as number) / Math.max(1, counts[c] as number);
  return { width: w, height: h, grey: sums };
}

/**
 * Sharpness as the variance of the Laplacian (4-neighbour kernel) over the interior of the grey image scaled to at
 * most `maxSide` pixels a side: edges give large responses, blur and flat areas small ones. 0 for an image with
 * fewer than 3 pixels a side after scaling.
 */
export function laplacianVariance(pixels: RgbaPixels, maxSide: number): number {
  const { width, height, grey } = downsampledGrey(pixels, maxSide);
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let sumOfSquares = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const l =
        (grey[i - 1] as number) + (grey[i + 1] as number) + (grey[i - width] as number) + (grey[i + width] as number) - 4 * (grey[i] as number);
      sum += l;
      sumOfSquares += l * l;
    }
  }
  const n = (width - 2) * (height - 2);
  const mean = sum / n;
  return Math.max(0, sumOfSquares / n - mean * mean);
}
