import { describe, expect, it } from "@jest/globals";
import { type SseEvent, SseParser } from "./sse-parser.js";

/** Every event of `body` fed to a parser in pieces of `size` bytes, then ended. */
function parse(body: string | Uint8Array, size = Number.POSITIVE_INFINITY): SseEvent[] {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const parser = new SseParser();
  const events: SseEvent[] = [];
  const step = Math.min(size, Math.max(1, bytes.length));
  for (let i = 0; i < bytes.length; i += step) events.push(...parser.push(bytes.subarray(i, i + step)));
  events.push(...parser.end());
  return events;
}

const data = (events: SseEvent[]) => events.map((e) => e.data);

describe("the server-sent events parser", () => {
  it("joins the data lines of one event with newlines (the standard's stock ticker example)", () => {
    expect(parse("data: YHOO\ndata: +2\ndata: 10\n\n")).toEqual([{ event: "message", data: "YHOO\n+2\n10", id: "" }]);
  });

  it("skips comments, keeps the last event id, and drops only one space after the colon (the standard's second example)", () => {
    const events = parse(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n");
    expect(events).toEqual([
      { event: "message", data: "first event", id: "1" },
      { event: "message", data: "second event", id: "" },
      { event: "message", data: " third event", id: "" },
    ]);
  });

  it("dispatches empty data and drops an event the stream ends before finishing (the standard's third example)", () => {
    expect(data(parse("data\n\ndata\ndata\n\ndata:"))).toEqual(["", "\n"]);
  });

  it("reads a colon followed by a space and a bare colon alike (the standard's fourth example)", () => {
    expect(data(parse("data:test\n\ndata: test\n\n"))).toEqual(["test", "test"]);
  });

  it("gives the event type an event: line names, for that event only", () => {
    expect(parse("event: error\ndata: {}\n\ndata: next\n\n").map((e) => e.event)).toEqual(["error", "message"]);
  });

  it("does not dispatch an event without data lines", () => {
    expect(parse("event: ping\n\n: keep-alive\n\nid: 7\n\n")).toEqual([]);
  });

  it.each([
    ["LF", "\n"],
    ["CRLF", "\r\n"],
    ["CR", "\r"],
  ])("reads %s line endings, whole or fed one byte at a time", (_name, eol) => {
    const body = `data: {"a":1}${eol}${eol}: comment${eol}data: two${eol}data: lines${eol}${eol}data: [DONE]${eol}${eol}`;
    const expected = ['{"a":1}', "two\nlines", "[DONE]"];
    expect(data(parse(body))).toEqual(expected);
    expect(data(parse(body, 1))).toEqual(expected);
    expect(data(parse(body, 3))).toEqual(expected);
  });

  it("reads a CRLF split between two chunks as one line ending, not two", () => {
    const parser = new SseParser();
    expect(parser.push("data: a\r")).toEqual([]);
    expect(data(parser.push("\n\r\n"))).toEqual(["a"]);
  });

  it("decodes a UTF-8 character split between two chunks", () => {
    const bytes = new TextEncoder().encode("data: ünïcødé ✓\n\n");
    for (let cut = 1; cut < bytes.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut)), ...parser.end()];
      expect(data(events)).toEqual(["ünïcødé ✓"]);
    }
  });

  it("ignores a byte order mark at the start of the stream", () => {
    expect(data(parse(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("data: x\n\n")])))).toEqual(["x"]);
  });

  it("holds an unfinished line until its end arrives, and says how long it is", () => {
    const parser = new SseParser();
    expect(parser.push("data: partial")).toEqual([]);
    expect(parser.pendingLength).toBe("data: partial".length);
    expect(data(parser.push(" line\n\n"))).toEqual(["partial line"]);
    expect(parser.pendingLength).toBe(0);
  });
});
