import { isUtf8 } from "node:buffer";
import { Modality } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { tabularFromJsonText, looksLikeJsonBytes } from "../tabular/json-text-table.js";
import type { LanguageDetector } from "../text/language-detector.js";
import { type ProfileParts, clampSize } from "../profile-parts.js";
import { textProfile, utf8Sample } from "../text/text-profile.js";
import { utf8TextStats } from "../text/text-stats.js";

function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * Profiles bytes that are no known media format: valid UTF-8 (a BOM is skipped) without control characters
 * is text, or tabular when it parses as a JSON object or list of objects; anything else is BINARY
 * (`application/octet-stream`). JSON beyond the row or field limit is a violation on `path`; text that looks
 * like JSON nested deeper than the limit stays text, with a warning.
 */
export function profileUnknownBytes(
  bytes: Uint8Array,
  path: string,
  violations: Violations,
  detector: LanguageDetector,
): ProfileParts | undefined {
  const sizeBytes = clampSize(bytes.length);
  const body = hasUtf8Bom(bytes) ? bytes.subarray(3) : bytes;
  if (body.length > 0 && isUtf8(body)) {
    const stats = utf8TextStats(body);
    if (!stats.hasControlCharacters) {
      const warnings: string[] = [];
      if (looksLikeJsonBytes(body)) {
        const table = tabularFromJsonText(new TextDecoder("utf-8").decode(body));
        if (table.kind === "too-large") {
          violations.add(path, table.problem);
          return undefined;
        }
        if (table.kind === "table") {
          return { modality: Modality.TABULAR, mimeType: "application/json", sizeBytes, tabular: table.profile, warnings: [] };
        }
        if (table.kind === "too-deep") warnings.push(`${path.replace(/\.data$/, "")}: the bytes are UTF-8 text that ${table.warning}`);
      }
      const text = textProfile(stats, utf8Sample(body), detector);
      return { modality: Modality.TEXT, mimeType: "text/plain", sizeBytes, text, warnings };
    }
  }
  return { modality: Modality.BINARY, mimeType: "application/octet-stream", sizeBytes, warnings: [] };
}
