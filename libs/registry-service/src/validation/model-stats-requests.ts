import { timestampMs, durationMs } from "@bufbuild/protobuf/wkt";
import type { ListModelStatsRequest, ModelStatsDelta, RecordModelStatsRequest } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import { LATENCY_BUCKET_COUNT } from "@modelrouter/policy";
import { quoted } from "@modelrouter/syntax";
import { ERROR_CODE_COUNT, emptyRow, minuteOf, type StatsRow } from "../stats/stats-row.js";
import { checkCount, checkLength, ItemReport } from "./bounds.js";
import { checkName, checkOptionalName, checkVersion } from "./names.js";

/** The most deltas one RecordModelStats call may carry (a router sends one per model version and instance). */
export const MAX_STATS_DELTAS = 1_000;
/** The longest `reporter` and `instance`, in characters. */
export const MAX_STATS_TEXT_LENGTH = 256;
/** How far a delta's `start_time` may be ahead of the registry's clock, in ms. */
export const MAX_STATS_CLOCK_SKEW_MS = 60_000;
/** The largest count a delta may carry: beyond, a double no longer counts exactly. */
const MAX_COUNT = BigInt(Number.MAX_SAFE_INTEGER);

/** The default `window` of ListModelStats: 5 minutes, in ms. */
export const DEFAULT_STATS_WINDOW_MS = 5 * 60_000;
/** The shortest `window`: one minute, the granularity of the stored figures. */
export const MIN_STATS_WINDOW_MS = 60_000;
/** The longest `window`: 24 hours. */
export const MAX_STATS_WINDOW_MS = 24 * 60 * 60_000;

/** What a delta's time is checked against: the registry's clock and how long it keeps figures. */
export interface StatsClock {
  readonly now: Date;
  readonly retentionMs: number;
}

/**
 * The rows a RecordModelStats request adds, one per delta (deltas of the same model version, instance and
 * minute are added up later), checked completely: every problem at `deltas[i].…` paths, the first ten
 * deltas' problems one by one and the rest counted.
 *
 * @throws DomainError INVALID_FIELD listing every problem.
 */
export function parseRecordModelStats(request: RecordModelStatsRequest, clock: StatsClock): StatsRow[] {
  const v = new Violations();
  checkLength(v, "reporter", request.reporter, MAX_STATS_TEXT_LENGTH);
  const deltas = checkCount(v, "deltas", request.deltas, MAX_STATS_DELTAS, "deltas", "send the rest in another call");
  const report = new ItemReport(v, "deltas");
  const rows: StatsRow[] = [];
  deltas.forEach((delta, i) => {
    const problems = new Violations();
    const row = parseDelta(problems, delta, clock);
    for (const item of problems.items) report.add(`deltas[${i}].${item.field}`, item.description);
    if (row !== undefined) rows.push(row);
  });
  report.done();
  v.throwIfAny("the model statistics cannot be recorded");
  return rows;
}

/**
 * The window (ms) and model of a ListModelStats request: an unset window is 5 minutes; a window must be whole
 * or fractional minutes from 1 minute to 24 hours.
 *
 * @throws DomainError INVALID_FIELD naming `window` or `model`.
 */
export function parseListModelStats(request: ListModelStatsRequest): { windowMs: number; model: string | undefined } {
  const v = new Violations();
  let windowMs = DEFAULT_STATS_WINDOW_MS;
  if (request.window !== undefined) {
    const { seconds, nanos } = request.window;
    const ms = durationMs(request.window);
    if (seconds < 0n || nanos < 0 || nanos > 999_999_999 || !(ms >= MIN_STATS_WINDOW_MS && ms <= MAX_STATS_WINDOW_MS)) {
      v.add("window", `is ${Number.isFinite(ms) ? `${ms / 1000} s` : "not a valid duration"}: give a duration from 1 minute to 24 hours, such as 5m (or leave it unset for 5 minutes)`);
    } else windowMs = ms;
  }
  checkOptionalName(v, "model", request.model, "digits-general", "model");
  v.throwIfAny("invalid ListModelStats request");
  return { windowMs, model: request.model === "" ? undefined : request.model };
}

function parseDelta(v: Violations, delta: ModelStatsDelta, clock: StatsClock): StatsRow | undefined {
  if (delta.model === undefined) v.add("model", "is required: the model version the attempts ran");
  else {
    checkName(v, "model.name", delta.model.name, "digits-general", "model");
    checkVersion(v, "model.version", delta.model.version, true);
  }
  checkLength(v, "instance", delta.instance, MAX_STATS_TEXT_LENGTH);
  const startMs = startTimeOf(v, delta, clock);
  const requests = countOf(v, "requests", delta.requests);
  const errors = errorsOf(v, delta, requests);
  const buckets = bucketsOf(v, delta, requests);
  if (!Number.isFinite(delta.latencySumMs) || delta.latencySumMs < 0) {
    v.add("latency_sum_ms", `is ${delta.latencySumMs}: give the sum of the attempts' latencies, a finite number ≥ 0`);
  }
  if (!v.empty || delta.model === undefined || startMs === undefined) return undefined;
  const row = emptyRow(delta.model.name, delta.model.version, delta.instance, minuteOf(startMs));
  row.requests = requests;
  row.errors.splice(0, ERROR_CODE_COUNT, ...errors);
  row.buckets.splice(0, buckets.length, ...buckets);
  row.latencySumMs = delta.latencySumMs;
  return row;
}

function startTimeOf(v: Violations, delta: ModelStatsDelta, clock: StatsClock): number | undefined {
  const time = delta.startTime;
  if (time === undefined) {
    v.add("start_time", "is required: when the interval the delta covers began");
    return undefined;
  }
  const ms = time.nanos >= 0 && time.nanos <= 999_999_999 ? timestampMs(time) : Number.NaN;
  const now = clock.now.getTime();
  if (!Number.isFinite(ms)) v.add("start_time", "is not a valid timestamp: nanos from 0 to 999,999,999");
  else if (ms > now + MAX_STATS_CLOCK_SKEW_MS) {
    v.add("start_time", `is ${Math.round((ms - now) / 1000)} s ahead of the registry's clock (at most 60 s are accepted): check the router's clock`);
  } else if (ms < now - clock.retentionMs) {
    v.add(
      "start_time",
      `is ${Math.round((now - ms) / 60_000)} minutes old, older than the statistics' retention (${Math.round(clock.retentionMs / 60_000)} minutes): drop it`,
    );
  } else return ms;
  return undefined;
}

function countOf(v: Violations, field: string, count: bigint): number {
  if (count < 0n || count > MAX_COUNT) {
    v.add(field, `is ${count}: give a count from 0 to ${MAX_COUNT}`);
    return 0;
  }
  return Number(count);
}

function errorsOf(v: Violations, delta: ModelStatsDelta, requests: number): number[] {
  const errors = new Array<number>(ERROR_CODE_COUNT).fill(0);
  let total = 0;
  for (const [key, count] of Object.entries(delta.errorsByCode)) {
    const code = Number(key);
    if (!Number.isInteger(code) || code < 1 || code > ERROR_CODE_COUNT) {
      v.add(`errors_by_code[${quoted(key)}]`, `is keyed by ${key}, not a failure's google.rpc.Code: use 1 (CANCELLED) to 16 (UNAUTHENTICATED)`);
      continue;
    }
    const n = countOf(v, `errors_by_code[${quoted(key)}]`, count);
    errors[code - 1] = n;
    total += n;
  }
  if (total > requests) {
    v.add("errors_by_code", `counts ${total} failures, more than the ${requests} requests: every failure is also a request`);
  }
  return errors;
}

function bucketsOf(v: Violations, delta: ModelStatsDelta, requests: number): number[] {
  if (delta.latencyBuckets.length > LATENCY_BUCKET_COUNT) {
    v.add(
      "latency_buckets",
      `has ${delta.latencyBuckets.length} buckets; the histogram of @modelrouter/policy's LATENCY_BUCKETS_MS has ${LATENCY_BUCKET_COUNT}`,
    );
    return [];
  }
  const buckets = delta.latencyBuckets.map((count, i) => countOf(v, `latency_buckets[${i}]`, count));
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total > requests) {
    v.add("latency_buckets", `count ${total} latencies, more than the ${requests} requests: count each attempt once`);
  }
  return buckets;
}
