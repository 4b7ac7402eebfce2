import type { ImageLimits } from "./worker-protocol.js";

/** The image formats the executor decodes. */
export type DecodableFormat = "PNG" | "JPEG";

/**
 * Why an image must not be decoded, found from its structure before decoding: `corrupt` (truncated or
 * damaged: `detail` says where, in our words, to follow "the PNG image is truncated or corrupt: …"), `limit`
 * (it exceeds one of the executor's limits: `detail` says which, to follow "the PNG image …"), or
 * `unsupported` (a variant of the format the decoder does not implement; `detail` follows "the JPEG image …").
 */
export interface ImageRefusal {
  readonly kind: "corrupt" | "limit" | "unsupported";
  readonly detail: string;
}

/** A `corrupt` {@link ImageRefusal}. */
export const corrupt = (detail: string): ImageRefusal => ({ kind: "corrupt", detail });

/**
 * Checks an image's dimensions, as read from its header, against the limits: at least 1×1, at most
 * `limits.maxPixels` pixels. Undefined when they pass.
 */
export function checkDimensions(width: number, height: number, limits: ImageLimits): ImageRefusal | undefined {
  if (width < 1 || height < 1) return corrupt(`its header gives a size of ${width}×${height} pixels`);
  if (width * height > limits.maxPixels) {
    return { kind: "limit", detail: `is ${width}×${height} pixels, more than the executor's limit of ${limits.maxPixels} pixels` };
  }
  return undefined;
}

const others: readonly { readonly name: string; readonly matches: (b: Uint8Array) => boolean }[] = [
  { name: "GIF", matches: (b) => startsWith(b, 0, "GIF87a") || startsWith(b, 0, "GIF89a") },
  { name: "WebP", matches: (b) => startsWith(b, 0, "RIFF") && startsWith(b, 8, "WEBP") },
  { name: "BMP", matches: (b) => startsWith(b, 0, "BM") && b.length >= 18 && [12, 16, 40, 52, 56, 64, 108, 124].includes(u32le(b, 14)) },
  { name: "TIFF", matches: (b) => startsWith(b, 0, "II*\u0000") || startsWith(b, 0, "MM\u0000*") },
];

/** The name of a well-known image format the executor does not decode (GIF, WebP, BMP, TIFF), if `bytes` start like one. */
export function undecodableFormat(bytes: Uint8Array): string | undefined {
  return others.find((format) => format.matches(bytes))?.name;
}

/** The first bytes in hex, for saying what a payload starts with. */
export function hexPreview(bytes: Uint8Array, count = 8): string {
  const shown = Array.from(bytes.subarray(0, count), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return bytes.length > count ? `${shown} …` : shown === "" ? "(no bytes)" : shown;
}

function startsWith(bytes: Uint8Array, at: number, ascii: string): boolean {
  if (bytes.length < at + ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[at + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

function u32le(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8) | ((bytes[at + 2] ?? 0) << 16)) + (bytes[at + 3] ?? 0) * 2 ** 24;
}
