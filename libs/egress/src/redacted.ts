const REDACTED = "[redacted]";

/**
 * A secret that does not print itself: `String(secret)`, template literals, `JSON.stringify` and
 * `util.inspect` (so loggers and `console.log`) all give `[redacted]`. Only {@link Redacted.reveal} gives the
 * value, at the one place that sends it.
 */
export class Redacted {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself: call it only where it is sent, never to log or return it. */
  reveal(): string {
    return this.#value;
  }

  /** `[redacted]`. */
  toString(): string {
    return REDACTED;
  }

  /** `[redacted]`. */
  toJSON(): string {
    return REDACTED;
  }

  /** `[redacted]`, for Node's `util.inspect` (and so for `console.log` and loggers that inspect). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return REDACTED;
  }
}
