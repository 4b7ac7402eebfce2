import { create } from "@bufbuild/protobuf";
import { type InputProfile, InputProfileSchema, Modality, type Payload } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import { jsonValueSize } from "./json-size.js";
import { tabularFromValue } from "./json-value-table.js";
import type { LanguageDetector } from "./language-detector.js";
import { profileMedia } from "./media-payload.js";
import { validateMetadata } from "./metadata.js";
import { type ProfileParts, TENSOR_MIME_TYPE, clampSize } from "./profile-parts.js";
import { profileTensor } from "./tensor-profile.js";
import { profileText } from "./text-payload.js";

/** What {@link analyzePayload} needs besides the request. */
export interface AnalyzerDeps {
  /** Tells the language of text payloads; see `createLanguageDetector`. */
  readonly languageDetector: LanguageDetector;
}

/**
 * Turns a payload and the request metadata into an {@link InputProfile}: the modality detected from the bytes
 * (magic numbers, UTF-8 validity, JSON structure), never from the payload kind or MIME type the client chose;
 * the detected and declared MIME types; the size; the sub-profile of the detected modality; the metadata,
 * unchanged; and warnings where the client's claims and the bytes disagree.
 *
 * Pure, apart from the language detector. Throws an INVALID_FIELD {@link DomainError} listing every problem
 * of the payload and the metadata at once (for example `payload.image.data`, `payload.tensor.shape[1]`,
 * `metadata["bad key"]`); throws nothing else for any input.
 */
export function analyzePayload(
  payload: Payload | undefined,
  metadata: Readonly<Record<string, string>>,
  deps: AnalyzerDeps,
): InputProfile {
  const violations = new Violations();
  validateMetadata(metadata, violations);
  const parts = profilePayload(payload, violations, deps);
  violations.throwIfAny("the payload cannot be analysed");
  if (parts === undefined) throw new Error("a payload without a profile must have a violation");
  return create(InputProfileSchema, { ...parts, warnings: [...parts.warnings], metadata: { ...metadata } });
}

function profilePayload(payload: Payload | undefined, violations: Violations, deps: AnalyzerDeps): ProfileParts | undefined {
  const kind = payload?.kind;
  switch (kind?.case) {
    case "text":
      return profileText(kind.value, violations, deps.languageDetector);
    case "image":
    case "audio":
    case "binary":
      return profileMedia(kind.case, kind.value, violations, deps.languageDetector);
    case "json": {
      const tabular = tabularFromValue(kind.value, "payload.json", violations);
      if (tabular === undefined) return undefined;
      const sizeBytes = clampSize(jsonValueSize(kind.value));
      return { modality: Modality.TABULAR, mimeType: "application/json", sizeBytes, tabular, warnings: [] };
    }
    case "tensor": {
      const tensor = profileTensor(kind.value, "payload.tensor", violations);
      if (tensor === undefined) return undefined;
      const sizeBytes = clampSize(tensor.sizeBytes);
      return { modality: Modality.TENSOR, mimeType: TENSOR_MIME_TYPE, sizeBytes, tensor: tensor.profile, warnings: [] };
    }
    case undefined:
      violations.add("payload", "is required: set exactly one of text, image, audio, json, tensor, binary");
      return undefined;
  }
}
