import { type Media, Modality } from "@modelrouter/contracts";
import { analyzeAudio } from "../audio/audio-profile.js";
import { hexPreview } from "../common/byte-reader.js";
import { TAKEN_IMAGE_FORMATS, checkImage } from "../image/image-check.js";
import { analyzeImage } from "../image/image-profile.js";
import type { PayloadProblems } from "../problems.js";
import { type ProfileParts, clampSize } from "../profile-parts.js";
import type { LanguageDetector } from "../text/language-detector.js";
import { type AudioMediaFormat, type ImageMediaFormat, type MediaFormat, sniffMediaFormat } from "./media-formats.js";
import { mimeAgrees } from "./mime.js";
import { profileUnknownBytes } from "./unknown-bytes.js";

/** The payload fields that carry encoded bytes. */
export type MediaKind = "image" | "audio" | "binary";

const EXPECTED: Readonly<Record<MediaKind, string>> = {
  image: `encoded image (${TAKEN_IMAGE_FORMATS})`,
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
 * A recognised media format is checked by its structure (see `checkImage`; a WAV by its chunks) and profiled
 * (see `analyzeImage`, `analyzeAudio`; an image whose pixels do not decode gets a warning):
 * a damaged or oversized file is a violation on `payload.<kind>.data`, and a format or variant that models
 * cannot decode (GIF, WebP, BMP, an arithmetic-coded JPEG) is an unsupported one. Image bytes that are audio,
 * or audio bytes that are an image, are profiled as what they are, with a warning. Image or audio bytes of no
 * media format are a violation; binary bytes fall back to text, JSON or BINARY. A declared MIME type that the
 * bytes contradict adds a warning.
 */
export function profileMedia(
  kind: MediaKind,
  media: Media,
  problems: PayloadProblems,
  detector: LanguageDetector,
): ProfileParts | undefined {
  const path = `payload.${kind}.data`;
  const bytes = media.data;
  if (bytes.length === 0) {
    problems.invalid.add(path, `is empty: send the bytes of the ${EXPECTED[kind]}`);
    return undefined;
  }
  const format = sniffMediaFormat(bytes);
  let parts: ProfileParts | undefined;
  if (format?.kind === "image") parts = profileImage(format, bytes, path, problems);
  else if (format?.kind === "audio") parts = profileAudio(format, bytes, path, problems);
  else if (kind === "image") {
    problems.invalid.add(path, `is not a ${TAKEN_IMAGE_FORMATS} image; first bytes are ${hexPreview(bytes)}`);
  } else if (kind === "audio") {
    problems.invalid.add(path, `is not WAV audio (RIFF/WAVE); first bytes are ${hexPreview(bytes)}`);
  } else parts = profileUnknownBytes(bytes, path, problems.invalid, detector);
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

function profileImage(format: ImageMediaFormat, bytes: Uint8Array, path: string, problems: PayloadProblems): ProfileParts | undefined {
  const checked = checkImage(format, bytes);
  if (!checked.ok) {
    problems[checked.kind].add(path, checked.description);
    return undefined;
  }
  const { image, warnings } = analyzeImage(bytes, checked.header, path);
  return { modality: Modality.IMAGE, mimeType: format.mimeType, sizeBytes: clampSize(bytes.length), image, warnings };
}

function profileAudio(format: AudioMediaFormat, bytes: Uint8Array, path: string, problems: PayloadProblems): ProfileParts | undefined {
  const header = format.read(bytes);
  if (!header.ok) {
    problems[header.kind].add(path, `starts like a ${format.label} but ${header.problem}`);
    return undefined;
  }
  const audio = analyzeAudio(bytes, header.value);
  return { modality: Modality.AUDIO, mimeType: format.mimeType, sizeBytes: clampSize(bytes.length), audio, warnings: [] };
}
