import { trace } from "@opentelemetry/api";

/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Structured values attached to a log line. Errors are written with name, message, stack and cause. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A structured logger writing one JSON object per line. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** The `service` field of every line. */
  readonly service: string;
  /** Lines below this level are dropped. Default "info". */
  readonly level?: LogLevel;
  /** Where lines go. Default: standard output. */
  readonly write?: (line: string) => void;
}

const rank: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

function errorFields(error: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: error.message, stack: error.stack };
  if (error.cause !== undefined && depth < 3) {
    out["cause"] = error.cause instanceof Error ? errorFields(error.cause, depth + 1) : error.cause;
  }
  return out;
}

/** JSON.stringify replacer: errors (at any depth) with name, message, stack and cause; bigints as strings. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return errorFields(value, 0);
  if (typeof value === "bigint") return value.toString();
  return value;
}

let stdoutBroken = false;

/**
 * Writes a line to standard output, unless standard output is gone. When the reader of a pipe goes away, a
 * write fails with EPIPE as an 'error' event; unhandled, it would be an uncaught exception, whose report would
 * write again and fail again — a loop at 100 % CPU that never lets the process exit. The first failure marks
 * standard output broken and later lines are dropped (there is nowhere left to put them).
 */
export function writeStdout(line: string): void {
  if (stdoutBroken) return;
  if (process.stdout.listenerCount("error") === 0) {
    process.stdout.on("error", () => {
      stdoutBroken = true;
    });
  }
  process.stdout.write(`${line}\n`);
}

/**
 * Creates a JSON-lines logger. Each line has `time`, `level`, `service`, `msg`, the trace and span ids of the
 * active span (so a log line leads to its trace in Jaeger), and the given fields.
 */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = rank[options.level ?? "info"];
  const write = options.write ?? writeStdout;
  const make = (bound: LogFields): Logger => {
    const log = (level: LogLevel, message: string, fields?: LogFields): void => {
      if (rank[level] < threshold) return;
      const line: Record<string, unknown> = {
        time: new Date().toISOString(),
        level,
        service: options.service,
        msg: message,
      };
      const spanContext = trace.getActiveSpan()?.spanContext();
      if (spanContext !== undefined && trace.isSpanContextValid(spanContext)) {
        line["trace_id"] = spanContext.traceId;
        line["span_id"] = spanContext.spanId;
      }
      Object.assign(line, bound, fields);
      let text: string;
      try {
        text = JSON.stringify(line, replacer);
      } catch {
        text = JSON.stringify({ time: line["time"], level, service: options.service, msg: message, logError: "unserialisable fields" });
      }
      write(text);
    };
    return {
      debug: (m, f) => log("debug", m, f),
      info: (m, f) => log("info", m, f),
      warn: (m, f) => log("warn", m, f),
      error: (m, f) => log("error", m, f),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}
