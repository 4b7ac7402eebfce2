import { invalidField } from "@modelrouter/errors";
import { MAX_AUDIO_SAMPLE_RATE_HZ, MAX_WAV_CHANNELS } from "@modelrouter/syntax";

/** A decoded WAV file, mixed to one channel. */
export interface DecodedAudio {
  /** The file's sample rate. */
  readonly sampleRateHz: number;
  /** How many channels the file has (they are averaged into `mono`). */
  readonly channels: number;
  /** One sample per frame, in [-1, 1]. */
  readonly mono: Float32Array;
}

/** A WAV sample format: how one sample of one channel is stored. */
type SampleFormat = { readonly float: boolean; readonly bits: number };

interface Format extends SampleFormat {
  readonly channels: number;
  readonly sampleRateHz: number;
  readonly blockAlign: number;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
/** The bytes of the KSDATAFORMAT_SUBTYPE GUIDs after their first two (the format code). */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const EXPECTS = "a RIFF/WAVE file of PCM 8/16/24/32-bit or IEEE float 32/64-bit samples";

/**
 * Decodes a WAV file (RIFF/WAVE: PCM 8/16/24/32-bit or IEEE float 32/64-bit, `WAVE_FORMAT_EXTENSIBLE` too, any
 * number of channels up to 64) and mixes its channels to mono by averaging. Chunks are read in any order (the
 * `data` chunk need not be last; odd-sized chunks are padded to even), unknown chunks skipped; a trailing
 * partial frame is ignored. 8-bit samples are unsigned, the others signed; float samples are clamped to
 * [-1, 1] and NaN read as 0. The work is linear in the file's size.
 *
 * @param field where the bytes are in the request, for errors. Default `payload.audio.data`.
 * @throws DomainError INVALID_FIELD naming `field` when the bytes are not such a file: no RIFF/WAVE header, no
 *   `fmt ` or `data` chunk, an unsupported sample format, a `data` chunk longer than the file (truncated).
 */
export function decodeWav(bytes: Uint8Array, field = "payload.audio.data"): DecodedAudio {
  const fail = (problem: string): never => {
    throw invalidField(field, `${problem}: send ${EXPECTS}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") fail("is not a WAV file (no RIFF/WAVE header)");
  let format: Format | undefined;
  let data: { start: number; length: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      if (body + size > bytes.length) fail(`has a truncated fmt chunk (${size} bytes declared, ${bytes.length - body} present)`);
      format = readFormat(view, body, size, fail);
    } else if (id === "data") {
      if (body + size > bytes.length) {
        fail(`is truncated: its data chunk declares ${size} bytes but ${bytes.length - body} follow`);
      }
      data ??= { start: body, length: size };
    }
    at = body + size + (size % 2);
  }
  if (format === undefined) return fail("has no fmt chunk");
  if (data === undefined) return fail("has no data chunk");
  return { sampleRateHz: format.sampleRateHz, channels: format.channels, mono: mixToMono(view, data.start, data.length, format) };
}

function readFormat(view: DataView, at: number, size: number, fail: (problem: string) => never): Format {
  if (size < 16) fail(`has a fmt chunk of ${size} bytes; at least 16 are needed`);
  let code = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRateHz = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  if (code === FORMAT_EXTENSIBLE) {
    if (size < 40) fail(`has a WAVE_FORMAT_EXTENSIBLE fmt chunk of ${size} bytes; 40 are needed`);
    const tail = Array.from({ length: 14 }, (_, i) => view.getUint8(at + 26 + i));
    if (tail.some((b, i) => b !== GUID_TAIL[i])) fail("has a WAVE_FORMAT_EXTENSIBLE sub-format that is not PCM or IEEE float");
    code = view.getUint16(at + 24, true);
  }
  if (code !== FORMAT_PCM && code !== FORMAT_FLOAT) fail(`has sample format ${code}, which is neither PCM (1) nor IEEE float (3)`);
  const float = code === FORMAT_FLOAT;
  if (float ? bits !== 32 && bits !== 64 : ![8, 16, 24, 32].includes(bits)) {
    fail(`has ${bits}-bit ${float ? "float" : "PCM"} samples`);
  }
  if (channels < 1 || channels > MAX_WAV_CHANNELS) fail(`has ${channels} channels; 1 to ${MAX_WAV_CHANNELS} are supported`);
  if (sampleRateHz < 1 || sampleRateHz > MAX_AUDIO_SAMPLE_RATE_HZ) {
    fail(`has a sample rate of ${sampleRateHz} Hz; 1 to ${MAX_AUDIO_SAMPLE_RATE_HZ} Hz are supported`);
  }
  if (blockAlign !== channels * (bits / 8)) {
    fail(`has a block align of ${blockAlign} bytes, but ${channels} channels of ${bits}-bit samples take ${channels * (bits / 8)}`);
  }
  return { float, bits, channels, sampleRateHz, blockAlign };
}

function mixToMono(view: DataView, start: number, length: number, format: Format): Float32Array {
  const frames = Math.floor(length / format.blockAlign);
  const bytes = format.bits / 8;
  const read = sampleReader(view, format);
  const mono = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const at = start + f * format.blockAlign;
    for (let c = 0; c < format.channels; c++) sum += read(at + c * bytes);
    mono[f] = sum / format.channels;
  }
  return mono;
}

function sampleReader(view: DataView, format: SampleFormat): (at: number) => number {
  if (format.float) {
    const get = format.bits === 32 ? (at: number) => view.getFloat32(at, true) : (at: number) => view.getFloat64(at, true);
    return (at) => {
      const x = get(at);
      return Number.isNaN(x) ? 0 : Math.max(-1, Math.min(1, x));
    };
  }
  switch (format.bits) {
    case 8:
      return (at) => (view.getUint8(at) - 128) / 128;
    case 16:
      return (at) => view.getInt16(at, true) / 32768;
    case 24:
      return (at) => ((view.getUint8(at + 2) << 24) | (view.getUint8(at + 1) << 16) | (view.getUint8(at) << 8)) / 2147483648;
    default:
      return (at) => view.getInt32(at, true) / 2147483648;
  }
}
