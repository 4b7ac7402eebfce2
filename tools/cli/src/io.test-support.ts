import type { Io } from "./io.js";

/**
 * An Io that keeps what the CLI writes: `lines` on standard output, `errors` on standard error, and `chunks` written
 * to standard output without a newline (a streamed answer).
 */
export interface CapturedIo extends Io {
  readonly lines: string[];
  readonly errors: string[];
  readonly chunks: string[];
  outText(): string;
  errText(): string;
}

/** A fresh {@link CapturedIo}. */
export function capture(): CapturedIo {
  const lines: string[] = [];
  const errors: string[] = [];
  const chunks: string[] = [];
  return {
    lines,
    errors,
    chunks,
    write: (text) => void chunks.push(text),
    out: (text) => void lines.push(text),
    err: (text) => void errors.push(text),
    outText: () => lines.join("\n"),
    errText: () => errors.join("\n"),
  };
}
