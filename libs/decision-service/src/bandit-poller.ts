import type { RegistryService } from "@modelrouter/contracts";
import type { BanditStates } from "@modelrouter/policy";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import { type BanditSnapshot, banditSnapshot } from "./bandit-snapshot.js";
import { type PollerHost, createPeriodicPoll } from "./periodic-poll.js";

/** How the decision engine follows what the bandits have learned. */
export interface BanditPollSettings {
  /** The time between polls (`MODELROUTER_DECISION_BANDIT_INTERVAL`), in milliseconds. Default 2,000. */
  readonly intervalMs?: number;
  /** The deadline of one `ListBanditArms` call, in milliseconds. Default: the interval, at most 5,000. */
  readonly timeoutMs?: number;
}

/** Options of {@link createBanditPoller}. */
export interface BanditPollerOptions extends BanditPollSettings, PollerHost {
  readonly registry: ServiceClient<typeof RegistryService>;
}

/** Where decisions read the bandits' state. */
export interface BanditSource {
  /** The bandits' state at the last good poll (nothing learned before the first). */
  states(): BanditStates;
}

/** Follows `ListBanditArms`, keeping the last good snapshot. */
export interface BanditPoller extends BanditSource {
  /** The last good snapshot; undefined before the first. */
  snapshot(): BanditSnapshot | undefined;
  /** Polls once now; true when it succeeded (the snapshot was replaced). */
  pollOnce(): Promise<boolean>;
  /** Stops polling; the last snapshot stays readable. */
  close(): Promise<void>;
}

const NOTHING_LEARNED: BanditStates = () => undefined;

/**
 * Polls the registry's `ListBanditArms` (every bandit) every interval, each call with a deadline. A good
 * answer becomes an immutable snapshot that replaces the previous one in one assignment, so that a decision
 * sees one poll whole and the bandit's per-state work (matrix inverses) is done once per poll. A failed poll
 * keeps the last good snapshot, however old (what was learned stays true), and is logged once per streak of
 * failures (and the recovery once).
 */
export function createBanditPoller(options: BanditPollerOptions): BanditPoller {
  const intervalMs = options.intervalMs ?? 2000;
  const clock = options.clock ?? Date.now;
  const poll = createPeriodicPoll<BanditSnapshot>(options, {
    component: "bandit-poller",
    fetch: async (signal, timeoutMs) => banditSnapshot(await options.registry.listBanditArms({}, { timeoutMs, signal }), clock()),
    intervalMs,
    timeoutMs: options.timeoutMs ?? Math.min(intervalMs, 5000),
    messages: {
      failed: "bandit poll failed; deciding on what the bandits had learned at the last good poll",
      recovered: "bandit poll recovered",
      recoveredFields: (snapshot) => ({ bandits: snapshot.byBandit.size }),
    },
  });

  return {
    states: () => poll.latest()?.states ?? NOTHING_LEARNED,
    snapshot: poll.latest,
    pollOnce: poll.pollOnce,
    close: poll.close,
  };
}
