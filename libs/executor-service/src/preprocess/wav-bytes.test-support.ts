/** How {@link wavBytes} writes a file. */
export interface WavOptions {
  readonly sampleRateHz?: number;
  /** Per channel, in [-1, 1]; all the same length. */
  readonly channels: readonly (readonly number[])[];
  /** Default 16. */
  readonly bits?: 8 | 16 | 24 | 32 | 64;
  readonly float?: boolean;
  /** Write a WAVE_FORMAT_EXTENSIBLE fmt chunk. */
  readonly extensible?: boolean;
  /** Chunks written before the fmt chunk (odd sizes are padded). */
  readonly before?: readonly { readonly id: string; readonly body: Uint8Array }[];
  /** Write the data chunk before the fmt chunk, with a LIST chunk after both. */
  readonly dataFirst?: boolean;
}

/** A RIFF/WAVE file of the given samples: what a test decodes. */
export function wavBytes(options: WavOptions): Uint8Array {
  const { channels, bits = 16, float = false, sampleRateHz = 16_000 } = options;
  const frames = channels[0]?.length ?? 0;
  const width = bits / 8;
  const data = new Uint8Array(frames * channels.length * width);
  const view = new DataView(data.buffer);
  for (let f = 0; f < frames; f++) {
    channels.forEach((channel, c) => {
      const x = channel[f] ?? 0;
      const at = (f * channels.length + c) * width;
      if (float) {
        if (bits === 32) view.setFloat32(at, x, true);
        else view.setFloat64(at, x, true);
      } else if (bits === 8) view.setUint8(at, Math.round(x * 127) + 128);
      else if (bits === 16) view.setInt16(at, Math.round(x * 32767), true);
      else if (bits === 24) {
        const v = Math.round(x * 8_388_607);
        view.setUint8(at, v & 0xff);
        view.setUint8(at + 1, (v >> 8) & 0xff);
        view.setUint8(at + 2, (v >> 16) & 0xff);
      } else view.setInt32(at, Math.round(x * 2_147_483_647), true);
    });
  }
  const fmt = formatChunk(options.extensible ?? false, float ? 3 : 1, channels.length, sampleRateHz, bits);
  const parts = [
    ...(options.before ?? []).map((chunk) => chunkBytes(chunk.id, chunk.body)),
    ...(options.dataFirst === true
      ? [chunkBytes("data", data), chunkBytes("fmt ", fmt), chunkBytes("LIST", new TextEncoder().encode("INFOtest"))]
      : [chunkBytes("fmt ", fmt), chunkBytes("data", data)]),
  ];
  return riff(parts);
}

/** A RIFF/WAVE file of the given chunks, as they are. */
export function riff(chunks: readonly Uint8Array[]): Uint8Array {
  const size = chunks.reduce((n, c) => n + c.length, 4);
  const out = new Uint8Array(8 + size);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode("RIFF"), 0);
  view.setUint32(4, size, true);
  out.set(new TextEncoder().encode("WAVE"), 8);
  let at = 12;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** One chunk: id, size, body and a pad byte when the size is odd. */
export function chunkBytes(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length % 2));
  out.set(new TextEncoder().encode(id), 0);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function formatChunk(extensible: boolean, code: number, channels: number, rate: number, bits: number): Uint8Array {
  const out = new Uint8Array(extensible ? 40 : 16);
  const view = new DataView(out.buffer);
  view.setUint16(0, extensible ? 0xfffe : code, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, rate, true);
  view.setUint32(8, rate * channels * (bits / 8), true);
  view.setUint16(12, channels * (bits / 8), true);
  view.setUint16(14, bits, true);
  if (extensible) {
    view.setUint16(16, 22, true);
    view.setUint16(18, bits, true);
    view.setUint32(20, channels === 1 ? 4 : 3, true);
    view.setUint16(24, code, true);
    out.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  return out;
}

/** `count` samples of a sine of `hz` at `rateHz`, amplitude `amplitude`. */
export function sine(hz: number, rateHz: number, count: number, amplitude = 0.5): number[] {
  return Array.from({ length: count }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rateHz));
}
