import { isBmp, readBmpHeader } from "./bmp-header.js";
import type { Detection } from "./detection.js";
import { isGif, readGifHeader } from "./gif-header.js";
import { isJpeg, readJpegHeader } from "./jpeg-header.js";
import type { AudioHeader, ImageHeader } from "./media-header.js";
import { isPng, readPngHeader } from "./png-header.js";
import { isWav, readWavHeader } from "./wav-header.js";
import { isWebp, readWebpHeader } from "./webp-header.js";

/** An encoded media format recognised by its magic number. */
export type MediaFormat =
  | {
      readonly kind: "image";
      readonly mimeType: string;
      /** How messages name the format, for example "PNG". */
      readonly label: string;
      readonly matches: (bytes: Uint8Array) => boolean;
      readonly read: (bytes: Uint8Array) => Detection<ImageHeader>;
    }
  | {
      readonly kind: "audio";
      readonly mimeType: string;
      readonly label: string;
      readonly matches: (bytes: Uint8Array) => boolean;
      readonly read: (bytes: Uint8Array) => Detection<AudioHeader>;
    };

const FORMATS: readonly MediaFormat[] = [
  { kind: "image", mimeType: "image/png", label: "PNG", matches: isPng, read: readPngHeader },
  { kind: "image", mimeType: "image/jpeg", label: "JPEG", matches: isJpeg, read: readJpegHeader },
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
