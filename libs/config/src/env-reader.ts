import { parseHostPort } from "@modelrouter/syntax";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Every problem found in the configuration, reported together at startup. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

/** Bounds of numeric settings. */
export interface IntOptions {
  readonly min?: number;
  readonly max?: number;
}

/**
 * Reads settings from environment variables, collecting every problem instead of stopping at the first.
 * Call {@link EnvReader.done} after the last read: it throws one {@link ConfigError} naming each bad
 * variable and how to fix it.
 *
 * @example
 * const env = new EnvReader(process.env);
 * const config = { port: env.port("MODELROUTER_ROUTER_PORT", 50051) };
 * env.done();
 */
export class EnvReader {
  readonly #problems: string[] = [];

  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  #raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  }

  /** Records a problem found by the caller (for rules that span several variables). */
  problem(message: string): void {
    this.#problems.push(message);
  }

  string(name: string, fallback: string): string {
    return this.#raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.#raw(name);
  }

  int(name: string, fallback: number, options: IntOptions = {}): number {
    const raw = this.#raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.#problems.push(`${name}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  /** A number, such as `0.25`. */
  number(name: string, fallback: number, options: IntOptions = {}): number {
    const raw = this.#raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    const min = options.min ?? -Number.MAX_VALUE;
    const max = options.max ?? Number.MAX_VALUE;
    if (!Number.isFinite(value) || value < min || value > max) {
      this.#problems.push(`${name}=${JSON.stringify(raw)}: expected a number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  /** A TCP port, 0 to 65535 (0: any free port). */
  port(name: string, fallback: number): number {
    return this.int(name, fallback, { min: 0, max: 65535 });
  }

  /** A `host:port` address such as `127.0.0.1:50052`, `localhost:50052` or `[::1]:50052`. */
  address(name: string, fallback: string): string {
    const raw = this.#raw(name) ?? fallback;
    if (parseHostPort(raw) === undefined) {
      this.#problems.push(`${name}=${JSON.stringify(raw)}: expected host:port, for example 127.0.0.1:50052`);
      return fallback;
    }
    return raw;
  }

  /** A duration in milliseconds, written as a number with an optional unit: `250`, `250ms`, `5s`, `2m`, `6h`, `7d`. */
  durationMs(name: string, fallbackMs: number): number {
    const raw = this.#raw(name);
    if (raw === undefined) return fallbackMs;
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw);
    if (match === null) {
      this.#problems.push(`${name}=${JSON.stringify(raw)}: expected a duration such as 500ms, 5s, 2m, 6h or 7d`);
      return fallbackMs;
    }
    return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? "ms") as keyof typeof UNIT_MS]);
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.#raw(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["1", "true", "yes", "on"].includes(raw)) return true;
    if (["0", "false", "no", "off"].includes(raw)) return false;
    this.#problems.push(`${name}=${JSON.stringify(raw)}: expected true or false`);
    return fallback;
  }

  /** One of `allowed`. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.#raw(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.#problems.push(`${name}=${JSON.stringify(raw)}: expected one of ${allowed.join(", ")}`);
    return fallback;
  }

  /** A comma-separated list, each item one of `allowed`. */
  listOf<T extends string>(name: string, allowed: readonly T[], fallback: readonly T[]): readonly T[] {
    const raw = this.#raw(name);
    if (raw === undefined) return fallback;
    const items = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
    const bad = items.filter((item) => !(allowed as readonly string[]).includes(item));
    if (bad.length > 0) {
      this.#problems.push(`${name}=${JSON.stringify(raw)}: unknown ${bad.join(", ")}; expected a comma-separated list of ${allowed.join(", ")}`);
      return fallback;
    }
    return [...new Set(items)] as T[];
  }

  /** Throws a {@link ConfigError} listing every problem found so far, if any. */
  done(): void {
    if (this.#problems.length > 0) throw new ConfigError(this.#problems);
  }
}
