import { ColorMode, TensorLayout, type ImagePreprocessing } from "@modelrouter/contracts";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";

/**
 * The executor's image preprocessing spec, written out independently of tools/model-zoo so that the tests
 * check the shipped models against the spec rather than against the trainer's own code:
 * decode to RGBA; composite over black; gray = round(0.299 R + 0.587 G + 0.114 B) (kept for 1-channel
 * sources); resize (area average when shrinking in both axes, else bilinear with half-pixel centres, clamped);
 * optional invert; v · scale (0 ⇒ 1/255); (v − mean) / std; NCHW, NHWC or FLAT.
 */
export function preprocess(bytes: Uint8Array, p: ImagePreprocessing): { data: Float32Array; dims: number[] } {
  const { width, height, rgba, gray } = decode(bytes);
  const composite = (i: number, c: number): number => Math.round(((rgba[i * 4 + c] ?? 0) * (rgba[i * 4 + 3] ?? 0)) / 255);
  const n = width * height;
  const planes =
    p.colorMode === ColorMode.RGB
      ? [0, 1, 2].map((c) => Array.from({ length: n }, (_, i) => composite(i, c)))
      : [
          Array.from({ length: n }, (_, i) =>
            gray ? composite(i, 0) : Math.round(0.299 * composite(i, 0) + 0.587 * composite(i, 1) + 0.114 * composite(i, 2)),
          ),
        ];
  const C = planes.length;
  const scale = p.scale === 0 ? 1 / 255 : p.scale;
  const data = new Float32Array(p.width * p.height * C);
  planes.forEach((plane, c) => {
    const resized = resize(plane, width, height, p.width, p.height);
    resized.forEach((v, i) => {
      const value = ((p.invert ? 255 - v : v) * scale - (p.mean[c] ?? p.mean[0] ?? 0)) / (p.std[c] ?? p.std[0] ?? 1);
      data[p.layout === TensorLayout.NCHW ? c * p.width * p.height + i : i * C + c] = value;
    });
  });
  const dims =
    p.layout === TensorLayout.NCHW
      ? [1, C, p.height, p.width]
      : p.layout === TensorLayout.NHWC
        ? [1, p.height, p.width, C]
        : [1, p.height * p.width * C];
  return { data, dims };
}

function decode(bytes: Uint8Array): { width: number; height: number; rgba: Uint8Array; gray: boolean } {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    const png = PNG.sync.read(Buffer.from(bytes));
    return { width: png.width, height: png.height, rgba: png.data, gray: png.colorType === 0 || png.colorType === 4 };
  }
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width: img.width, height: img.height, rgba: img.data, gray: false };
}

function resize(src: readonly number[], inW: number, inH: number, outW: number, outH: number): number[] {
  const out: number[] = [];
  const shrink = outW < inW && outH < inH;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) out.push(shrink ? area(src, inW, inH, outW, outH, x, y) : bilinear(src, inW, inH, outW, outH, x, y));
  }
  return out;
}

function area(src: readonly number[], inW: number, inH: number, outW: number, outH: number, x: number, y: number): number {
  const sx = inW / outW;
  const sy = inH / outH;
  let sum = 0;
  for (let j = Math.floor(y * sy); j < Math.min(inH, Math.ceil((y + 1) * sy)); j++) {
    const wy = Math.min((y + 1) * sy, j + 1) - Math.max(y * sy, j);
    for (let i = Math.floor(x * sx); i < Math.min(inW, Math.ceil((x + 1) * sx)); i++) {
      const wx = Math.min((x + 1) * sx, i + 1) - Math.max(x * sx, i);
      sum += (src[j * inW + i] ?? 0) * wx * wy;
    }
  }
  return sum / (sx * sy);
}

function bilinear(src: readonly number[], inW: number, inH: number, outW: number, outH: number, x: number, y: number): number {
  const at = (d: number, i: number, o: number): number => Math.min(Math.max((d + 0.5) * (i / o) - 0.5, 0), i - 1);
  const fx = at(x, inW, outW);
  const fy = at(y, inH, outH);
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(x0 + 1, inW - 1);
  const y1 = Math.min(y0 + 1, inH - 1);
  const px = (i: number, j: number): number => src[j * inW + i] ?? 0;
  const top = px(x0, y0) * (1 - (fx - x0)) + px(x1, y0) * (fx - x0);
  const bottom = px(x0, y1) * (1 - (fx - x0)) + px(x1, y1) * (fx - x0);
  return top * (1 - (fy - y0)) + bottom * (fy - y0);
}
