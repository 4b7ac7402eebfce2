/** One server-sent event: its type ("message" unless an `event:` line named another), data and last event id. */
export interface SseEvent {
  readonly event: string;
  /** The `data:` lines' values joined with "\n". */
  readonly data: string;
  readonly id: string;
}

/**
 * A parser of a `text/event-stream` body as the HTML standard defines it ("Server-sent events", §9.2.6), fed the
 * body's chunks as they arrive: lines end with CRLF, LF or CR (a CRLF may be split across chunks, and so may a
 * UTF-8 character); a line starting with ":" is a comment; `field: value` sets a field (one space after the colon
 * dropped); `data` lines accumulate; an empty line dispatches the event unless it had no data. A leading BOM is
 * ignored, unknown fields too; an event not finished by an empty line when the stream ends is dropped.
 */
export class SseParser {
  readonly #decoder = new TextDecoder("utf-8");
  #buffer = "";
  #data: string[] = [];
  #event = "";
  #id = "";

  /** The characters received but not yet part of a whole line (to bound what a server makes us hold). */
  get pendingLength(): number {
    return this.#buffer.length;
  }

  /** Feeds the next chunk of the body; returns the events it completed, in order. */
  push(chunk: Uint8Array | string): SseEvent[] {
    const text = typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    return this.#lines(this.#buffer + text, false);
  }

  /** Ends the body: a last line without its line ending is still read; returns the events it completed. */
  end(): SseEvent[] {
    return this.#lines(this.#buffer + this.#decoder.decode(), true);
  }

  #lines(buffer: string, final: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const cr = buffer.indexOf("\r", start);
      const lf = buffer.indexOf("\n", start);
      if (cr === -1 && lf === -1) break;
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        if (cr === buffer.length - 1 && !final) break;
        end = cr;
        next = buffer[cr + 1] === "\n" ? cr + 2 : cr + 1;
      } else {
        end = lf;
        next = lf + 1;
      }
      this.#line(buffer.slice(start, end), events);
      start = next;
    }
    this.#buffer = buffer.slice(start);
    if (final && this.#buffer !== "") {
      this.#line(this.#buffer, events);
      this.#buffer = "";
    }
    return events;
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === "") {
      if (this.#data.length > 0) events.push({ event: this.#event === "" ? "message" : this.#event, data: this.#data.join("\n"), id: this.#id });
      this.#data = [];
      this.#event = "";
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    else if (field === "id" && !value.includes("\u0000")) this.#id = value;
  }
}
