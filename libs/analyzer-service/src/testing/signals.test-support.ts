/** Synthetic images and sounds with known properties, encoded by real encoders (pngjs, jpeg-js) or as plain WAV. */
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import { ascii, concat, u16le, u32le } from "./fixtures.test-support.js";

/** An RGB colour, each channel 0..255. */
export type Rgb = readonly [number, number, number];

/** The RGBA pixels of a `width`×`height` image whose pixel (x, y) has colour `paint(x, y)`. */
function rgba(width: number, height: number, paint: (x: number, y: number) => Rgb): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = paint(x, y);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return data;
}

/** A PNG of the given colour type (2: RGB, 0: grey; default RGB) painted by `paint`. */
export function paintedPng(width: number, height: number, paint: (x: number, y: number) => Rgb, colorType: 0 | 2 = 2): Uint8Array {
  const png = new pngjs.PNG({ width, height });
  png.data.set(rgba(width, height, paint));
  const written = pngjs.PNG.sync.write(png, { colorType, bitDepth: 8 });
  return new Uint8Array(written.buffer, written.byteOffset, written.length);
}

/** A baseline colour (YCbCr) JPEG painted by `paint`. */
export function paintedJpeg(width: number, height: number, paint: (x: number, y: number) => Rgb, quality = 90): Uint8Array {
  const encoded = jpeg.encode({ data: rgba(width, height, paint), width, height }, quality);
  return new Uint8Array(encoded.data.buffer, encoded.data.byteOffset, encoded.data.length);
}

/** Black and white squares of `cell` pixels: as sharp as an image gets. */
export const checkerboard = (cell: number) => (x: number, y: number): Rgb =>
  (Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 0 ? [0, 0, 0] : [255, 255, 255];

/** A slow left-to-right grey ramp: no edges, like a blurred picture. */
export const ramp = (width: number) => (x: number): Rgb => {
  const v = Math.round((x / Math.max(1, width - 1)) * 255);
  return [v, v, v];
};

/** A deterministic pseudo-random sequence in [0, 1) (a 32-bit LCG), for noise. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A 16-bit PCM WAV of `channels` identical channels holding `samples` (each clamped to [-1, 1]). */
export function pcm16Wav(samples: ArrayLike<number>, sampleRateHz: number, channels = 1): Uint8Array {
  const body = new Uint8Array(samples.length * 2 * channels);
  const view = new DataView(body.buffer);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(Math.max(-1, Math.min(1, samples[i] as number)) * 32_767);
    for (let c = 0; c < channels; c++) view.setInt16((i * channels + c) * 2, v, true);
  }
  const blockAlign = 2 * channels;
  const fmt = concat(u16le(1), u16le(channels), u32le(sampleRateHz), u32le(sampleRateHz * blockAlign), u16le(blockAlign), u16le(16));
  const chunks = concat(ascii("WAVE"), ascii("fmt "), u32le(fmt.length), fmt, ascii("data"), u32le(body.length), body);
  return concat(ascii("RIFF"), u32le(chunks.length), chunks);
}

/** `seconds` of a sine of `hz` at `amplitude` (full scale 1). */
export function sine(hz: number, amplitude: number, seconds: number, sampleRateHz: number): Float64Array {
  return Float64Array.from({ length: Math.round(seconds * sampleRateHz) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRateHz));
}

/** `seconds` of uniform white noise of peak `amplitude`. */
export function whiteNoise(amplitude: number, seconds: number, sampleRateHz: number, seed = 7): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length: Math.round(seconds * sampleRateHz) }, () => amplitude * (2 * random() - 1));
}

/** The 16-bit mono samples of a WAV written by {@link pcm16Wav} or SoX (no chunk between `fmt ` and `data`), in [-1, 1]. */
export function pcm16Samples(wav: Uint8Array): Float64Array {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  let pos = 12;
  while (ascii("data").some((b, i) => wav[pos + i] !== b)) {
    const size = view.getUint32(pos + 4, true);
    pos += 8 + size + (size & 1);
  }
  const count = view.getUint32(pos + 4, true) / 2;
  return Float64Array.from({ length: count }, (_, i) => view.getInt16(pos + 8 + i * 2, true) / 32_768);
}
