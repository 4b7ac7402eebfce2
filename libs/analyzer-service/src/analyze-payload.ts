import { create } from "@bufbuild/protobuf";
import { type InputProfile, InputProfileSchema, type Payload } from "@modelrouter/contracts";
import { profileMedia } from "./media/media-payload.js";
import { validateMetadata } from "./metadata.js";
import { type PayloadProblems, payloadProblems, throwIfAny } from "./problems.js";
import type { ProfileParts } from "./profile-parts.js";
import { profileJsonValue } from "./tabular/json-payload.js";
import { profileTensor } from "./tensor/tensor-profile.js";
import type { LanguageDetector } from "./text/language-detector.js";
import { profileChat } from "./text/chat-payload.js";
import { profileText } from "./text/text-payload.js";

/** What {@link analyzePayload} needs besides the request. */
export interface AnalyzerDeps {
  /** Tells the language of text payloads; see `createLanguageDetector`. */
  readonly languageDetector: LanguageDetector;
}

/**
 * Turns a payload and the request metadata into an {@link InputProfile}: the modality detected from the bytes
 * (magic numbers and file structure, UTF-8 validity, JSON structure), never from the payload kind or MIME type
 * the client chose; the detected and declared MIME types; the size; the sub-profile of the detected modality;
 * the metadata, unchanged; and warnings where the client's claims and the bytes disagree, or where an image's
 * pixels could not be analysed.
 *
 * Pure, apart from the language detector, and linear in the size of the payload; decoding is bounded: the
 * pixels of images of at most `ANALYZER_LIMITS.maxDecodedPixels` pixels (for colour and sharpness) and the first
 * `maxAudioAnalysisSeconds` of audio (for levels and voice activity).
 * Throws a {@link DomainError} listing every problem of the payload and the metadata at once, each naming its
 * field (for example `payload.image.data`, `payload.tensor.shape[1]`, `metadata["bad key"]`): INVALID_FIELD, or
 * PAYLOAD_UNSUPPORTED when the only problem is a well-formed payload no model takes (a GIF image). Throws
 * nothing else for any input.
 */
export function analyzePayload(
  payload: Payload | undefined,
  metadata: Readonly<Record<string, string>>,
  deps: AnalyzerDeps,
): InputProfile {
  const problems = payloadProblems();
  validateMetadata(metadata, problems.invalid);
  const parts = profilePayload(payload, problems, deps);
  throwIfAny(problems, "the payload cannot be analysed");
  if (parts === undefined) throw new Error("a payload without a profile must have a violation");
  return create(InputProfileSchema, { ...parts, warnings: [...parts.warnings], metadata: { ...metadata } });
}

function profilePayload(payload: Payload | undefined, problems: PayloadProblems, deps: AnalyzerDeps): ProfileParts | undefined {
  const kind = payload?.kind;
  switch (kind?.case) {
    case "text":
      return profileText(kind.value, problems.invalid, deps.languageDetector);
    case "image":
    case "audio":
    case "binary":
      return profileMedia(kind.case, kind.value, problems, deps.languageDetector);
    case "json":
      return profileJsonValue(kind.value, problems.invalid);
    case "tensor":
      return profileTensor(kind.value, problems.invalid);
    case "chat":
      return profileChat(kind.value, problems.invalid, deps.languageDetector);
    case undefined:
      problems.invalid.add("payload", "is required: set exactly one of text, image, audio, json, tensor, binary, chat");
      return undefined;
  }
}
