import { Modality } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { looksLikeJson, tabularFromJsonText } from "../tabular/json-text-table.js";
import type { LanguageDetector } from "./language-detector.js";
import { type ProfileParts, clampSize } from "../profile-parts.js";
import { stringSample, textProfile } from "./text-profile.js";
import { stringTextStats } from "./text-stats.js";

/**
 * Profiles `payload.text`: length in code points, word count and language. Text that is a JSON object or a
 * list of objects is profiled as tabular, with a warning; text that looks like JSON nested deeper than the
 * limit stays text, with a warning. Empty text, and JSON beyond the row or field limit, are violations on
 * `payload.text`.
 */
export function profileText(text: string, violations: Violations, detector: LanguageDetector): ProfileParts | undefined {
  if (text.length === 0) {
    violations.add("payload.text", "is empty: send at least one character");
    return undefined;
  }
  const stats = stringTextStats(text);
  const sizeBytes = clampSize(stats.utf8Bytes);
  const warnings: string[] = [];
  if (looksLikeJson(text)) {
    const table = tabularFromJsonText(text);
    if (table.kind === "too-large") {
      violations.add("payload.text", table.problem);
      return undefined;
    }
    if (table.kind === "table") {
      const warning = "payload.text: the text is JSON (an object or a list of objects); profiled as tabular";
      return { modality: Modality.TABULAR, mimeType: "application/json", sizeBytes, tabular: table.profile, warnings: [warning] };
    }
    if (table.kind === "too-deep") warnings.push(`payload.text: the text ${table.warning}`);
  }
  const profile = textProfile(stats, stringSample(text), detector);
  return { modality: Modality.TEXT, mimeType: "text/plain", sizeBytes, text: profile, warnings };
}
