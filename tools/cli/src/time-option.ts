import { UsageError } from "./io.js";

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The time an option names, in epoch ms: a duration (`30s`, `15m`, `2h`, `30d`) counted from `nowMs` in
 * `direction` (-1: before now, as `--since`; +1: after now, as `--expires`), or an ISO time.
 *
 * @throws UsageError naming the option and what it expects.
 */
export function timeOption(option: string, text: string, nowMs: number, direction: -1 | 1): number {
  const duration = /^([0-9]{1,9})([smhd])$/.exec(text);
  if (duration !== null) return nowMs + direction * Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const ms = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    const relative = direction < 0 ? "before now" : "from now";
    throw new UsageError(`${option} ${text}: expected a duration ${relative} (30s, 15m, 2h, 30d) or an ISO time (2026-01-31T12:00:00Z)`);
  }
  return ms;
}

/**
 * A whole number option from 1 to `max`, or `fallback` when absent.
 *
 * @throws UsageError naming the option and the range.
 */
export function countOption(option: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`${option} ${text}: expected a whole number from 1 to ${max}`);
  return value;
}
