import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { PayloadSchema } from "@modelrouter/contracts";
import jpeg from "jpeg-js";

/** One payload the analyzer's cost is measured on. */
export interface CostCase {
  readonly name: string;
  /** What the payload is, for the report. */
  readonly description: string;
  readonly payload: MessageInitShape<typeof PayloadSchema>;
}

/** A 16-bit PCM mono WAV of `samples` in [-1, 1]. */
function wav(samples: Float64Array, rateHz: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(out.buffer);
  const text = (at: number, s: string) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, rateHz, true);
  view.setUint32(28, rateHz * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((x, i) => view.setInt16(44 + i * 2, Math.round(x * 32_767), true));
  return out;
}

/** Syllable-like bursts of a 150 Hz buzz with pauses: `seconds` at `rateHz`. */
function speechLike(seconds: number, rateHz: number): Float64Array {
  return Float64Array.from({ length: seconds * rateHz }, (_, i) => {
    const t = i / rateHz;
    const envelope = Math.max(0, Math.sin(2 * Math.PI * 3 * t));
    return 0.3 * envelope * (Math.sin(2 * Math.PI * 150 * t) + 0.5 * Math.sin(2 * Math.PI * 450 * t)) / 1.5;
  });
}

/** A `width`×`height` baseline colour JPEG of smooth gradients and a few edges, like a photo. */
function photoLikeJpeg(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const edge = (Math.floor(x / 80) + Math.floor(y / 60)) % 2 === 0 ? 40 : 0;
      data[i] = (x * 255) / width;
      data[i + 1] = ((y * 255) / height + edge) % 256;
      data[i + 2] = 128 + edge;
      data[i + 3] = 255;
    }
  }
  const encoded = jpeg.encode({ data, width, height }, 85);
  return new Uint8Array(encoded.data);
}

function media(kind: "image" | "audio", data: Uint8Array): MessageInitShape<typeof PayloadSchema> {
  return { kind: { case: kind, value: { data } } };
}

/** The payloads of the analyzer cost scenario: typical requests of each modality, and the image sizes around the decode budget. */
export function costCases(repoRoot: string): readonly CostCase[] {
  const samples = join(repoRoot, "libs/model-zoo/samples");
  const row: JsonValue = {
    mean_radius: 14.1,
    mean_texture: 19.3,
    mean_perimeter: 91.9,
    mean_area: 654.9,
    smoothness: 0.096,
    tier: "premium",
    flagged: false,
    samples: Array.from({ length: 64 }, (_, i) => Math.round(Math.sin(i / 4) * 1000) / 1000),
  };
  return [
    { name: "image-28", description: "the zoo's 28×28 greyscale MNIST PNG (`mnist-7-0.png`)", payload: media("image", new Uint8Array(readFileSync(join(samples, "mnist-7-0.png")))) },
    { name: "image-256", description: "a 256×256 colour JPEG (jpeg-js, quality 85): decoded for colour and sharpness", payload: media("image", photoLikeJpeg(256, 256)) },
    { name: "image-640", description: "a 640×480 colour JPEG: over the 65,536-pixel decode budget, header only", payload: media("image", photoLikeJpeg(640, 480)) },
    { name: "wav-1s", description: "1 s of 16 kHz 16-bit mono WAV (speech-like bursts)", payload: media("audio", wav(speechLike(1, 16_000), 16_000)) },
    { name: "wav-10s", description: "10 s of the same", payload: media("audio", wav(speechLike(10, 16_000), 16_000)) },
    { name: "sentence", description: "an English sentence of 44 characters (`text`)", payload: { kind: { case: "text", value: "The quick brown fox jumps over the lazy dog." } } },
    { name: "sentence-fr", description: "the zoo's French sample sentence (`sentence-fr.txt`), as text", payload: { kind: { case: "text", value: readFileSync(join(samples, "sentence-fr.txt"), "utf8") } } },
    { name: "json-row", description: "one JSON row of 7 scalar fields and a 64-number `samples` array (`json`)", payload: { kind: { case: "json", value: fromJson(ValueSchema, row) } } },
  ];
}
