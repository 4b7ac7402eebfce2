import type { SourcePosition } from "./policy-violation.js";
import { clip } from "@modelrouter/syntax";

/** The line and column of `offset` in `source` (offset clamped into the text). */
export function positionAt(source: string, offset: number): SourcePosition {
  const at = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1, offset: at };
}

/**
 * The line of `source` holding `offset`, shortened around it, with the offending text marked by `»…«`:
 * for `input.image.widht > 3` at 12–17, "input.image.»widht« > 3".
 */
export function excerptAt(source: string, start: number, end: number): string {
  const from = Math.max(0, Math.min(start, source.length));
  const to = Math.max(from, Math.min(end, source.length));
  const lineStart = source.lastIndexOf("\n", from - 1) + 1;
  const newline = source.indexOf("\n", to);
  const lineEnd = newline === -1 ? source.length : newline;
  const before = source.slice(Math.max(lineStart, from - 40), from);
  const marked = clip(source.slice(from, Math.min(to, lineEnd)), 40);
  const after = source.slice(Math.min(to, lineEnd), Math.min(lineEnd, to + 40));
  const lead = from - 40 > lineStart ? "…" : "";
  const tail = to + 40 < lineEnd ? "…" : "";
  return `${lead}${before}»${marked}«${after}${tail}`;
}
