import { create } from "@bufbuild/protobuf";
import { AudioProfileSchema, ImageProfileSchema, type Media, Modality } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { hexPreview } from "./byte-reader.js";
import type { LanguageDetector } from "./language-detector.js";
import { type MediaFormat, sniffMediaFormat } from "./media-formats.js";
import { mimeAgrees } from "./mime.js";
import { type ProfileParts, clampSize } from "./profile-parts.js";
import { profileUnknownBytes } from "./unknown-bytes.js";

/** The payload fields that carry encoded bytes. */
export type MediaKind = "image" | "audio" | "binary";

const EXPECTED: Readonly<Record<MediaKind, string>> = {
  image: "encoded image (PNG, JPEG, GIF, WebP or BMP)",
  audio: "encoded audio (WAV)",
  binary: "payload",
};

/** How a warning names what the bytes turned out to be. */
function describe(parts: ProfileParts, format: MediaFormat | undefined): string {
  if (format !== undefined) return format.kind === "audio" ? `${format.label} audio` : format.label;
  switch (parts.modality) {
    case Modality.TABULAR:
      return "JSON";
    case Modality.TEXT:
      return "UTF-8 text";
    default:
      return "not a recognised format";
  }
}

/**
 * Profiles `payload.image`, `payload.audio` or `payload.binary` from its bytes, whatever the client claimed.
 * A recognised media format is profiled by its header (a corrupt header is a violation on `payload.<kind>.data`);
 * image bytes that are audio, or audio bytes that are an image, are profiled as what they are, with a warning.
 * Image or audio bytes of no media format are a violation; binary bytes fall back to text, JSON or BINARY.
 * A declared MIME type that the bytes contradict adds a warning.
 */
export function profileMedia(
  kind: MediaKind,
  media: Media,
  violations: Violations,
  detector: LanguageDetector,
): ProfileParts | undefined {
  const path = `payload.${kind}.data`;
  const bytes = media.data;
  if (bytes.length === 0) {
    violations.add(path, `is empty: send the bytes of the ${EXPECTED[kind]}`);
    return undefined;
  }
  const format = sniffMediaFormat(bytes);
  let parts: ProfileParts | undefined;
  if (format !== undefined) parts = profileFormat(format, bytes, path, violations);
  else if (kind === "image") {
    violations.add(path, `is not a PNG, JPEG, GIF, WebP or BMP image; first bytes are ${hexPreview(bytes)}`);
  } else if (kind === "audio") {
    violations.add(path, `is not WAV audio (RIFF/WAVE); first bytes are ${hexPreview(bytes)}`);
  } else parts = profileUnknownBytes(bytes, path, violations, detector);
  if (parts === undefined) return undefined;
  const warnings: string[] = [];
  if (format !== undefined && kind !== "binary" && format.kind !== kind) {
    warnings.push(`payload.${kind}: the bytes are ${describe(parts, format)}, not ${kind}; profiled as ${format.kind}`);
  }
  if (!mimeAgrees(media.mimeType, parts.mimeType)) {
    warnings.push(`payload.${kind}: declared ${media.mimeType} but the bytes are ${describe(parts, format)}`);
  }
  return { ...parts, declaredMimeType: media.mimeType, warnings: [...parts.warnings, ...warnings] };
}

function profileFormat(
  format: MediaFormat,
  bytes: Uint8Array,
  path: string,
  violations: Violations,
): ProfileParts | undefined {
  const sizeBytes = clampSize(bytes.length);
  if (format.kind === "image") {
    const header = format.read(bytes);
    if (!header.ok) {
      violations.add(path, `starts like a ${format.label} but ${header.problem}`);
      return undefined;
    }
    const { format: name, width, height, channels, bitDepth } = header.value;
    const image = create(ImageProfileSchema, { format: name, width, height, channels, bitDepth });
    return { modality: Modality.IMAGE, mimeType: format.mimeType, sizeBytes, image, warnings: [] };
  }
  const header = format.read(bytes);
  if (!header.ok) {
    violations.add(path, `starts like a ${format.label} but ${header.problem}`);
    return undefined;
  }
  const { format: name, sampleRateHz, channels, bitsPerSample, durationSeconds } = header.value;
  const audio = create(AudioProfileSchema, { format: name, sampleRateHz, channels, bitsPerSample, durationSeconds });
  return { modality: Modality.AUDIO, mimeType: format.mimeType, sizeBytes, audio, warnings: [] };
}
