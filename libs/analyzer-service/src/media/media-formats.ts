import type { AudioHeader } from "../audio/audio-header.js";
import { isWav, readWavHeader } from "../audio/wav-header.js";
import type { Detection } from "../common/detection.js";
import { isBmp, readBmpHeader } from "../image/bmp-header.js";
import { isGif, readGifHeader } from "../image/gif-header.js";
import type { ImageHeader } from "../image/image-header.js";
import { isJpeg, readJpegHeader } from "../image/jpeg-header.js";
import { checkJpegSegments } from "../image/jpeg-segments.js";
import { checkPngChunks } from "../image/png-chunks.js";
import { isPng, readPngHeader } from "../image/png-header.js";
import { isWebp, readWebpHeader } from "../image/webp-header.js";

/** An image format recognised by its magic number. */
export interface ImageMediaFormat {
  readonly kind: "image";
  readonly mimeType: string;
  /** How messages name the format, for example "PNG". */
  readonly label: string;
  readonly matches: (bytes: Uint8Array) => boolean;
  readonly read: (bytes: Uint8Array) => Detection<ImageHeader>;
  /**
   * Checks the whole file's structure (after a successful `read`), without decoding pixels. Undefined for a
   * format modelrouter recognises but does not take, because its models cannot decode it.
   */
  readonly checkStructure?: (bytes: Uint8Array) => Detection<void>;
}

/** An audio format recognised by its magic number. */
export interface AudioMediaFormat {
  readonly kind: "audio";
  readonly mimeType: string;
  readonly label: string;
  readonly matches: (bytes: Uint8Array) => boolean;
  readonly read: (bytes: Uint8Array) => Detection<AudioHeader>;
}

/** An encoded media format recognised by its magic number. */
export type MediaFormat = ImageMediaFormat | AudioMediaFormat;

const FORMATS: readonly MediaFormat[] = [
  { kind: "image", mimeType: "image/png", label: "PNG", matches: isPng, read: readPngHeader, checkStructure: checkPngChunks },
  { kind: "image", mimeType: "image/jpeg", label: "JPEG", matches: isJpeg, read: readJpegHeader, checkStructure: checkJpegSegments },
  { kind: "image", mimeType: "image/gif", label: "GIF", matches: isGif, read: readGifHeader },
  { kind: "image", mimeType: "image/webp", label: "WebP", matches: isWebp, read: readWebpHeader },
  { kind: "image", mimeType: "image/bmp", label: "BMP", matches: isBmp, read: readBmpHeader },
  { kind: "audio", mimeType: "audio/wav", label: "WAV", matches: isWav, read: readWavHeader },
];

/**
 * The media format whose magic number the bytes start with, or undefined. Looks at no more than the first
 * 18 bytes, whatever the payload's size.
 */
export function sniffMediaFormat(bytes: Uint8Array): MediaFormat | undefined {
  return FORMATS.find((format) => format.matches(bytes));
}
