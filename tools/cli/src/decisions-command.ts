import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { DecisionRecord, ListDecisionsRequest } from "@modelrouter/contracts";
import type { Command } from "./commands.js";
import type { Connection } from "./connection.js";
import { DECISION_FILTER_OPTIONS, listDecisionsRequestOf } from "./decision-filters.js";
import { decisionTable } from "./decision-table.js";
import { UsageError, type Io } from "./io.js";

/** How often `decisions tail -f` asks for newer decisions by default, and its bounds, in ms. */
export const DEFAULT_TAIL_INTERVAL_MS = 2_000;
const MIN_TAIL_INTERVAL_MS = 250;
const MAX_TAIL_INTERVAL_MS = 60_000;
/**
 * How far back each poll looks before the newest decision already shown: routers record decisions shortly
 * after answering, so one can arrive with a time a little older than one already shown.
 */
const TAIL_OVERLAP_MS = 10_000;
/** The most decisions one poll reads (in pages of the registry's largest size). */
const MAX_PER_POLL = 5_000;

export const decisionsCommand: Command = {
  usage: `modelrouter decisions list [--since 15m|TIME] [--until TIME] [--model M] [--policy P] [--rule R]
                          [--revision N] [--tenant T] [--outcome ok|CODE] [--fallback yes|no] [--limit N]
                                               a table of logged decisions, newest first (default 50)
modelrouter decisions tail [-f] [--interval MS] [filters as for list]
                                               the latest decisions, oldest first; -f keeps polling for newer
                                               ones (every 2000 ms by default) until Ctrl-C`,

  async run(args, connection, io) {
    const [action, ...rest] = args;
    const { values } = parseArgs({
      args: rest,
      options: {
        ...DECISION_FILTER_OPTIONS,
        limit: { type: "string" },
        follow: { type: "boolean", short: "f" },
        interval: { type: "string" },
      },
    });
    const request = listDecisionsRequestOf(values, Date.now());
    const limit = positiveInt("--limit", values.limit, action === "tail" ? 20 : 50, 10_000);
    switch (action) {
      case "list": {
        for (const line of decisionTable(await newest(connection, request, limit))) io.out(line);
        return 0;
      }
      case "tail": {
        const intervalMs = positiveInt("--interval", values.interval, DEFAULT_TAIL_INTERVAL_MS, MAX_TAIL_INTERVAL_MS);
        if (intervalMs < MIN_TAIL_INTERVAL_MS) throw new UsageError(`--interval ${intervalMs}: poll at most every ${MIN_TAIL_INTERVAL_MS} ms`);
        const shown = await newest(connection, request, limit);
        for (const line of decisionTable([...shown].reverse())) io.out(line);
        if (values.follow !== true) return 0;
        const stop = new AbortController();
        const onInterrupt = (): void => stop.abort();
        process.once("SIGINT", onInterrupt);
        try {
          await follow(connection, request, shown, intervalMs, io, stop.signal);
        } finally {
          process.off("SIGINT", onInterrupt);
        }
        return 0;
      }
      default:
        throw new UsageError(`decisions: unknown action "${action ?? ""}" (say list or tail)`);
    }
  },
};

/** At most `limit` decisions matching `request`, newest first, read page by page. */
async function newest(connection: Connection, request: ListDecisionsRequest, limit: number): Promise<DecisionRecord[]> {
  const decisions: DecisionRecord[] = [];
  let pageToken = "";
  do {
    const page = await connection.registry.listDecisions({ ...request, pageSize: Math.min(500, limit - decisions.length), pageToken });
    decisions.push(...page.decisions);
    pageToken = page.nextPageToken;
  } while (pageToken !== "" && decisions.length < limit);
  return decisions.slice(0, limit);
}

/**
 * Polls for decisions newer than those shown (looking {@link TAIL_OVERLAP_MS} back, skipping request ids
 * already shown) every `intervalMs` until `signal` aborts, and prints them oldest first.
 */
async function follow(
  connection: Connection,
  request: ListDecisionsRequest,
  shown: readonly DecisionRecord[],
  intervalMs: number,
  io: Io,
  signal: AbortSignal,
): Promise<void> {
  const seen = new Map<string, number>(shown.map((d) => [d.requestId, timeMs(d)]));
  let newestMs = Math.max(0, ...seen.values());
  const startMs = request.startTime === undefined ? 0 : timeMs({ time: request.startTime });
  while (!signal.aborted) {
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      return;
    }
    const from = Math.max(startMs, newestMs - TAIL_OVERLAP_MS);
    const fresh = (await newest(connection, { ...request, startTime: timestampFromMs(from) }, MAX_PER_POLL)).filter(
      (d) => !seen.has(d.requestId),
    );
    for (const line of decisionTable([...fresh].reverse(), false)) io.out(line);
    for (const d of fresh) {
      seen.set(d.requestId, timeMs(d));
      newestMs = Math.max(newestMs, timeMs(d));
    }
    for (const [id, ms] of seen) if (ms < newestMs - TAIL_OVERLAP_MS) seen.delete(id);
  }
}

function timeMs(d: Pick<DecisionRecord, "time">): number {
  return d.time === undefined ? 0 : timestampDate(d.time).getTime();
}

function positiveInt(option: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`${option} ${text}: expected a whole number from 1 to ${max}`);
  return value;
}
