import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ChatSchema } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import { MAX_CHAT_CONTENT, MAX_CHAT_MESSAGES, checkChat } from "./chat.js";

function check(messages: { role: string; content: string }[]) {
  const v = new Violations();
  const ok = checkChat(create(ChatSchema, { messages }), "payload.chat", v);
  return { ok, problems: v.items.map((i) => `${i.field} ${i.description}`) };
}

describe("chat payloads", () => {
  it("accepts a conversation of system, user and assistant turns that ends with the user's", () => {
    const conversation = [
      { role: "system", content: "Answer briefly." },
      { role: "user", content: "Hello" },
      { role: "assistant", content: "Hi." },
      { role: "user", content: "What is 2 + 2?" },
    ];
    expect(check(conversation)).toEqual({ ok: true, problems: [] });
  });

  it("refuses an empty conversation, with an example of a message", () => {
    expect(check([])).toEqual({ ok: false, problems: ['payload.chat.messages is empty: send at least one message, for example { role: "user", content: "Hello" }'] });
  });

  it("names every message with an unknown or missing role, or empty content, at once", () => {
    const { ok, problems } = check([
      { role: "tool", content: "x" },
      { role: "", content: "y" },
      { role: "user", content: "" },
    ]);
    expect(ok).toBe(false);
    expect(problems).toEqual([
      'payload.chat.messages[0].role is "tool": use one of "system", "user", "assistant"',
      'payload.chat.messages[1].role is required: use one of "system", "user", "assistant"',
      "payload.chat.messages[2].content is empty: send the message's text",
    ]);
  });

  it("refuses a conversation that ends with the assistant's turn: the model answers the last message", () => {
    expect(check([{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }]).problems).toEqual([
      'payload.chat.messages[1].role is "assistant": end the conversation with the "user" message the model should answer',
    ]);
  });

  it("bounds the number of messages and the content in all", () => {
    const many = Array.from({ length: MAX_CHAT_MESSAGES + 1 }, () => ({ role: "user", content: "x" }));
    expect(check(many).problems).toEqual([`payload.chat.messages holds ${MAX_CHAT_MESSAGES + 1} messages; send at most ${MAX_CHAT_MESSAGES} (drop the oldest turns)`]);
    const half = "x".repeat(MAX_CHAT_CONTENT / 2 + 1);
    expect(check([{ role: "user", content: half }, { role: "user", content: half }]).problems).toEqual([
      `payload.chat.messages hold ${MAX_CHAT_CONTENT + 2} characters of content; send at most ${MAX_CHAT_CONTENT} (drop the oldest turns)`,
    ]);
  });
});
