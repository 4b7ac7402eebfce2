/** Where the CLI writes: standard output for results, standard error for errors and progress. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /**
   * Writes `text` to standard output as it is, with no newline (a streamed answer as it comes). Without it,
   * a streamed answer is printed with `out` once complete.
   */
  write?(text: string): void;
}

/** The process's standard streams. */
export const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  write: (text) => process.stdout.write(text),
};

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
