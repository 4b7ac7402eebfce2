import type { Chat } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";

/** The roles a chat message may have. */
export const CHAT_ROLES = ["system", "user", "assistant"] as const;

/** A chat message's role. */
export type ChatRole = (typeof CHAT_ROLES)[number];

/** The most messages one chat payload may hold. */
export const MAX_CHAT_MESSAGES = 256;

/** The most UTF-16 code units of content one chat payload may hold, all messages together (1 Mi). */
export const MAX_CHAT_CONTENT = 1024 * 1024;

/**
 * Checks a chat payload and adds every problem to `violations` under `path` (for example `payload.chat`, giving
 * `payload.chat.messages[2].role`): 1 to {@link MAX_CHAT_MESSAGES} messages, each with a role of
 * {@link CHAT_ROLES} and non-empty content, at most {@link MAX_CHAT_CONTENT} characters of content in all, and a
 * last message that is not the assistant's (the model answers the last message). Returns whether it passed.
 */
export function checkChat(chat: Chat, path: string, violations: Violations): boolean {
  const before = violations.items.length;
  const messages = chat.messages;
  if (messages.length === 0) {
    violations.add(`${path}.messages`, `is empty: send at least one message, for example { role: "user", content: "Hello" }`);
    return false;
  }
  if (messages.length > MAX_CHAT_MESSAGES) {
    violations.add(`${path}.messages`, `holds ${messages.length} messages; send at most ${MAX_CHAT_MESSAGES} (drop the oldest turns)`);
    return false;
  }
  let total = 0;
  messages.forEach((message, i) => {
    const at = `${path}.messages[${i}]`;
    if (!(CHAT_ROLES as readonly string[]).includes(message.role)) {
      const got = message.role === "" ? "is required" : `is ${JSON.stringify(message.role.slice(0, 32))}`;
      violations.add(`${at}.role`, `${got}: use one of ${CHAT_ROLES.map((r) => `"${r}"`).join(", ")}`);
    }
    if (message.content.length === 0) violations.add(`${at}.content`, "is empty: send the message's text");
    total += message.content.length;
  });
  if (total > MAX_CHAT_CONTENT) {
    violations.add(`${path}.messages`, `hold ${total} characters of content; send at most ${MAX_CHAT_CONTENT} (drop the oldest turns)`);
  }
  if (messages.at(-1)?.role === "assistant") {
    violations.add(`${path}.messages[${messages.length - 1}].role`, `is "assistant": end the conversation with the "user" message the model should answer`);
  }
  return violations.items.length === before;
}
