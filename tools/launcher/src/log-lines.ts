/** The line a service logs once everything it hosts is ready (its JSON has `"msg":"ready"`). */
export const isReadyLine = (line: string): boolean => line.includes('"msg":"ready"');

/** The line a service logs when it begins to shut down, on its first SIGTERM or SIGINT. */
export const isShuttingDownLine = (line: string): boolean => line.includes('"msg":"shutting down"');

/**
 * A service's JSON log line for people: `[name] message  key=value …`, with the level when it is not `info` and
 * without the time, service and trace fields. Any other line is shown as it is.
 */
export function prettyLogLine(name: string, line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return `[${name}] ${line}`;
  }
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return `[${name}] ${line}`;
  const { time: _time, level, service: _service, msg, trace_id: _trace, span_id: _span, ...fields } = entry as Record<string, unknown>;
  const extra = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(" ");
  const prefix = level === undefined || level === "info" ? "" : `${String(level)}: `;
  return `[${name}] ${prefix}${String(msg ?? "")}${extra === "" ? "" : `  ${extra}`}`;
}
