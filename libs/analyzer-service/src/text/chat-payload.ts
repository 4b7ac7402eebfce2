import { type Chat, Modality } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { checkChat } from "@modelrouter/syntax";
import { type ProfileParts, clampSize } from "../profile-parts.js";
import type { LanguageDetector } from "./language-detector.js";
import { stringSample, textProfile } from "./text-profile.js";
import { stringTextStats } from "./text-stats.js";

/** The MIME type a chat payload's profile declares. */
export const CHAT_MIME_TYPE = "application/vnd.modelrouter.chat+json";

/**
 * Profiles `payload.chat` as text: the counts (length, words, tokens, lines) of every message's content together,
 * since the whole conversation is the model's prompt, and the language of the last message, which the model
 * answers. Problems (no message, an unknown role, empty content, too much content) are violations on
 * `payload.chat.messages…` (see `checkChat`).
 */
export function profileChat(chat: Chat, violations: Violations, detector: LanguageDetector): ProfileParts | undefined {
  if (!checkChat(chat, "payload.chat", violations)) return undefined;
  const all = chat.messages.map((m) => m.content).join("\n");
  const stats = stringTextStats(all);
  const last = chat.messages.at(-1)?.content ?? "";
  return {
    modality: Modality.TEXT,
    mimeType: CHAT_MIME_TYPE,
    sizeBytes: clampSize(stats.utf8Bytes),
    text: textProfile(stats, stringSample(last), detector),
    warnings: [],
  };
}
