import { readFileSync } from "node:fs";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ChatMessageSchema } from "@modelrouter/contracts";
import { UsageError } from "./io.js";

type ChatMessageInit = MessageInitShape<typeof ChatMessageSchema>;

/** The roles a chat message may have. */
export const CHAT_ROLES = ["system", "user", "assistant"] as const;

const isRole = (role: string): boolean => (CHAT_ROLES as readonly string[]).includes(role);

const CHAT_SHAPE = 'a JSON list of {"role": "system"|"user"|"assistant", "content": "…"}, for example [{"role": "user", "content": "Hello"}]';

/**
 * The conversation of `--chat FILE` (or `-`, standard input): a JSON list of `{role, content}`, oldest first.
 *
 * @throws UsageError naming `--chat` and the message at fault when the file cannot be read or is not such a list.
 */
export function chatFromFile(path: string, readStdin: () => string = () => readFileSync(0, "utf8")): ChatMessageInit[] {
  const where = `--chat ${path}`;
  let source: string;
  try {
    source = path === "-" ? readStdin() : readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`${where}: cannot read the file; give ${CHAT_SHAPE}, or - for standard input`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    throw new UsageError(`${where}: not valid JSON; give ${CHAT_SHAPE}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new UsageError(`${where}: expected ${CHAT_SHAPE}`);
  return parsed.map((item: unknown, index) => {
    const at = `${where}: message ${index + 1}`;
    if (item === null || typeof item !== "object") throw new UsageError(`${at} is not an object; expected ${CHAT_SHAPE}`);
    const { role, content } = item as { role?: unknown; content?: unknown };
    if (typeof role !== "string" || !isRole(role)) throw new UsageError(`${at}: "role" must be one of ${CHAT_ROLES.join(", ")}`);
    if (typeof content !== "string" || content === "") throw new UsageError(`${at}: "content" must be a non-empty string`);
    return { role, content };
  });
}

/**
 * The conversation of repeated `--message role:content` options, in the order given.
 *
 * @throws UsageError naming the `--message` at fault when it has no known role or no content.
 */
export function chatFromMessages(messages: readonly string[]): ChatMessageInit[] {
  return messages.map((message) => {
    const at = message.indexOf(":");
    const role = at < 0 ? "" : message.slice(0, at);
    const content = at < 0 ? "" : message.slice(at + 1);
    if (!isRole(role) || content === "") {
      throw new UsageError(`--message ${message}: expected role:content with a role of ${CHAT_ROLES.join(", ")}, for example --message "user:Hello"`);
    }
    return { role, content };
  });
}
