import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { RegistryService } from "@modelrouter/contracts";
import { type CandidateStatsProvider, declaredStats } from "@modelrouter/policy";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import { type LiveStatsSnapshot, liveStatsSnapshot } from "./live-stats-snapshot.js";
import { type PollerHost, createPeriodicPoll } from "./periodic-poll.js";

/** How the decision engine follows the registry's live statistics. */
export interface StatsPollSettings {
  /** How far back the figures reach (`MODELROUTER_DECISION_STATS_WINDOW`), in milliseconds. Default 5 minutes. */
  readonly windowMs?: number;
  /** The time between polls (`MODELROUTER_DECISION_STATS_INTERVAL`), in milliseconds. Default 2,000. */
  readonly intervalMs?: number;
  /** The deadline of one `ListModelStats` call, in milliseconds. Default: the interval, at most 5,000. */
  readonly timeoutMs?: number;
  /**
   * The age past which the last good figures are dropped (decisions go back to the declared metrics), in
   * milliseconds. Default: 5 intervals, at least 10,000.
   */
  readonly maxAgeMs?: number;
}

/** Options of {@link createStatsPoller}. */
export interface StatsPollerOptions extends StatsPollSettings, PollerHost {
  readonly registry: ServiceClient<typeof RegistryService>;
}

/** The statistics provider a decision uses at a time. */
export interface LiveStatsSource {
  /**
   * The live figures of the last good poll, or the declared metrics ({@link declaredStats}) before the first
   * one and once it is older than the bound.
   */
  provider(now: number): CandidateStatsProvider;
}

/** Follows `ListModelStats`, keeping the last good snapshot. */
export interface StatsPoller extends LiveStatsSource {
  /** The last good snapshot, however old; undefined before the first. */
  snapshot(): LiveStatsSnapshot | undefined;
  /** Polls once now; true when it succeeded (the snapshot was replaced). */
  pollOnce(): Promise<boolean>;
  /** Stops polling; the last snapshot stays readable. */
  close(): Promise<void>;
}

/**
 * Polls the registry's `ListModelStats` over the window every interval, each call with a deadline. A good
 * answer becomes an immutable snapshot that replaces the previous one in one assignment, so a decision sees
 * one poll's figures whole. A failed poll keeps the last good snapshot and is logged once per streak of
 * failures (and the recovery once); figures older than `maxAgeMs` are dropped, back to the declared metrics.
 */
export function createStatsPoller(options: StatsPollerOptions): StatsPoller {
  const clock = options.clock ?? Date.now;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const intervalMs = options.intervalMs ?? 2000;
  const maxAgeMs = options.maxAgeMs ?? Math.max(10_000, 5 * intervalMs);
  const window = durationFromMs(windowMs);
  const poll = createPeriodicPoll<LiveStatsSnapshot>(options, {
    component: "stats-poller",
    fetch: async (signal, timeoutMs) =>
      liveStatsSnapshot(await options.registry.listModelStats({ window }, { timeoutMs, signal }), clock(), windowMs),
    intervalMs,
    timeoutMs: options.timeoutMs ?? Math.min(intervalMs, 5000),
    messages: {
      failed: "live statistics poll failed; deciding on the last good figures until they are too old",
      failedFields: () => ({ maxAgeMs }),
      recovered: "live statistics poll recovered",
      recoveredFields: (snapshot) => ({ versions: snapshot.byVersion.size }),
    },
  });

  return {
    provider(now) {
      const snapshot = poll.latest();
      if (snapshot === undefined || now - snapshot.receivedAt > maxAgeMs) return declaredStats;
      return snapshot.provider;
    },
    snapshot: poll.latest,
    pollOnce: poll.pollOnce,
    close: poll.close,
  };
}
