import { asciiTag, hasTag, u16le, u32le } from "../common/byte-reader.js";
import { type Detection, detected, rejected, truncated, unsupported } from "../common/detection.js";
import type { AudioHeader, WavEncoding } from "./audio-header.js";
import { RIFF_HEADER_BYTES, isRiffForm } from "../common/riff.js";

/** The `data` chunk is found within this many chunks or the file is rejected: the walk is bounded. */
const MAX_CHUNKS = 1024;
const CHUNK_HEADER_BYTES = 8;
const FMT_MIN_BYTES = 16;
const FMT_EXTENSIBLE_BYTES = 40;
const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE GUID (…-0000-0010-8000-00aa00389b71); bytes 0..1 are the format tag. */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71] as const;
/** A data chunk size that streaming writers use for "until the end of the file". */
const UNKNOWN_SIZE = 0xffffffff;

interface WavFormat {
  readonly encoding: WavEncoding;
  readonly channels: number;
  readonly sampleRateHz: number;
  readonly bitsPerSample: number;
  readonly blockAlign: number;
}

/** True when the bytes start with a RIFF header of form `WAVE`. */
export function isWav(bytes: Uint8Array): boolean {
  return isRiffForm(bytes, "WAVE");
}

/**
 * Walks a WAV file's chunks (with bounds checks and the odd-size pad byte) to its `fmt ` and `data` chunks:
 * PCM (8/16/24/32-bit), IEEE float (32/64-bit) or WAVE_FORMAT_EXTENSIBLE with a PCM or float subtype.
 * The duration is the `data` chunk's length over (sample rate × block size). A `data` chunk longer than the
 * bytes is truncated, except the streaming size 0xffffffff, which means "to the end".
 */
export function readWavHeader(bytes: Uint8Array): Detection<AudioHeader> {
  if (!isWav(bytes)) return rejected("does not start with a RIFF header of form WAVE");
  const end = bytes.length;
  let pos = RIFF_HEADER_BYTES;
  let format: WavFormat | undefined;
  for (let chunks = 0; chunks < MAX_CHUNKS; chunks++) {
    if (pos + CHUNK_HEADER_BYTES > end) {
      return rejected(`is truncated: it ends after ${end} bytes without ${format ? "a data" : "a fmt"} chunk`);
    }
    const body = pos + CHUNK_HEADER_BYTES;
    const size = u32le(bytes, pos + 4);
    if (hasTag(bytes, pos, "fmt ")) {
      const read = readFormat(bytes, body, size);
      if (!read.ok) return read;
      format = read.value;
    } else if (hasTag(bytes, pos, "data")) {
      if (format === undefined) return rejected("is corrupt: its data chunk comes before the fmt chunk");
      const available = end - body;
      if (size > available && size !== UNKNOWN_SIZE) {
        return rejected(`is truncated: the data chunk declares ${size} bytes but ${available} follow`);
      }
      const dataBytes = Math.min(size, available);
      const { blockAlign, ...rest } = format;
      const durationSeconds = dataBytes / (format.sampleRateHz * blockAlign);
      return detected({ format: "wav", ...rest, durationSeconds, dataOffset: body, dataBytes });
    } else if (body + size > end) {
      return rejected(
        `is truncated: chunk '${asciiTag(bytes, pos, 4)}' at byte ${pos} declares ${size} bytes but ${end - body} follow`,
      );
    }
    pos = body + size + (size & 1);
  }
  return unsupported(`no data chunk within its first ${MAX_CHUNKS} chunks`);
}

function readFormat(bytes: Uint8Array, body: number, size: number): Detection<WavFormat> {
  if (size < FMT_MIN_BYTES) return rejected(`is corrupt: its fmt chunk is ${size} bytes, less than ${FMT_MIN_BYTES}`);
  if (body + FMT_MIN_BYTES > bytes.length) return truncated("WAV fmt chunk", body + FMT_MIN_BYTES, bytes.length);
  let tag = u16le(bytes, body);
  const channels = u16le(bytes, body + 2);
  const sampleRateHz = u32le(bytes, body + 4);
  const blockAlign = u16le(bytes, body + 12);
  const bitsPerSample = u16le(bytes, body + 14);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < FMT_EXTENSIBLE_BYTES) {
      return rejected(`is corrupt: its extensible fmt chunk is ${size} bytes, less than ${FMT_EXTENSIBLE_BYTES}`);
    }
    if (body + FMT_EXTENSIBLE_BYTES > bytes.length) {
      return truncated("WAV extensible fmt chunk", body + FMT_EXTENSIBLE_BYTES, bytes.length);
    }
    if (!hasTag(bytes, body + 26, SUBTYPE_GUID_TAIL)) {
      return unsupported("its extensible subformat GUID is not a KSDATAFORMAT_SUBTYPE");
    }
    tag = u16le(bytes, body + 24);
  }
  const encoding = encodingOf(tag);
  if (encoding === undefined) {
    return unsupported(`format tag 0x${tag.toString(16).padStart(4, "0")}; PCM (1), IEEE float (3) and extensible PCM or float are recognised`,
    );
  }
  if (channels === 0) return rejected("is corrupt: it has 0 channels");
  if (sampleRateHz === 0) return rejected("is corrupt: its sample rate is 0 Hz");
  const allowed = encoding === "pcm" ? [8, 16, 24, 32] : [32, 64];
  if (!allowed.includes(bitsPerSample)) {
    return unsupported(`${bitsPerSample}-bit ${encoding === "pcm" ? "PCM" : "float"} samples (recognised: ${allowed.join(", ")})`);
  }
  const expectedAlign = (channels * bitsPerSample) / 8;
  if (blockAlign !== expectedAlign) {
    return rejected(`is corrupt: block align ${blockAlign} is not channels × bits / 8 = ${expectedAlign}`);
  }
  return detected({ encoding, channels, sampleRateHz, bitsPerSample, blockAlign });
}

function encodingOf(tag: number): WavEncoding | undefined {
  if (tag === WAVE_FORMAT_PCM) return "pcm";
  if (tag === WAVE_FORMAT_IEEE_FLOAT) return "float";
  return undefined;
}
