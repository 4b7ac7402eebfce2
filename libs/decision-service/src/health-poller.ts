import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { RegistryService } from "@modelrouter/contracts";
import type { CompiledPolicy, GuardHealth } from "@modelrouter/policy";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import type { CatalogueSource } from "./catalogue-snapshot.js";
import { createGuardTracker, type GuardHealthSource, type GuardTracker } from "./guard-tracker.js";
import { createHealthRing } from "./health-ring.js";
import { type PollerHost, createPeriodicPoll } from "./periodic-poll.js";

const MINUTE_MS = 60_000;
/** The shortest `ListModelStats` window the registry serves. */
const MIN_WINDOW_MS = MINUTE_MS;
/** Half a minute: a window's start falls mid-minute, so that a registry clock this far off reads the same minutes. */
const SKEW_MS = 30_000;

/** How the guards follow the registry's figures. */
export interface HealthSettings {
  /** How far back the health figures reach (`MODELROUTER_DECISION_HEALTH_WINDOW`), in milliseconds; default 30 s. */
  readonly windowMs?: number;
  /** The time between polls, in milliseconds; default 1,000. */
  readonly intervalMs?: number;
  /** How long one anchor is kept before the window starts again from a later minute, in milliseconds; default 10 minutes. */
  readonly reanchorMs?: number;
}

/** Options of {@link createHealthPoller}. */
export interface HealthPollerOptions extends HealthSettings, PollerHost {
  readonly registry: ServiceClient<typeof RegistryService>;
  /** The policies whose guards are followed (the decision engine's catalogue). */
  readonly catalogue: CatalogueSource;
}

/** Follows the figures that guarded routes read and keeps their states (see `createGuardTracker`). */
export interface HealthPoller extends GuardHealthSource {
  readonly tracker: GuardTracker;
  /** Polls once now and advances the states; true when the poll succeeded. */
  pollOnce(): Promise<boolean>;
  close(): Promise<void>;
}

function guarded(policies: readonly CompiledPolicy[]): { any: boolean; latency: boolean } {
  let any = false;
  let latency = false;
  for (const policy of policies) {
    for (const route of [...policy.rules.map((r) => r.route), policy.defaultRoute]) {
      if (route?.guard === undefined) continue;
      any = true;
      if (route.guard.maxP95LatencyMs !== undefined) latency = true;
    }
  }
  return { any, latency };
}

/**
 * Polls the registry for guarded routes only (while no loaded policy has a guard it makes no call). The
 * registry files statistics per minute, so a short window cannot be asked for directly: every poll asks for
 * the counts since a fixed anchor (a minute boundary, the window's start set mid-minute so that half a minute
 * of clock difference reads the same minutes), which only grow, and the ring keeps the difference between
 * consecutive polls, giving exact attempts, failures and labelled answers over the last `windowMs`. Every
 * `reanchorMs` the anchor moves forward (one extra call: the old anchor's last delta, then the new baseline).
 * p95 latency cannot be differenced, so it is read from the registry's shortest window (the last 1 to 2
 * minutes), asked for only while a guard sets `max_p95_latency_ms`. A failed poll is logged once per streak
 * and changes no state (a degraded candidate stays degraded until figures arrive).
 */
export function createHealthPoller(options: HealthPollerOptions): HealthPoller {
  const clock = options.clock ?? Date.now;
  const windowMs = options.windowMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 1000;
  const reanchorMs = Math.max(options.reanchorMs ?? 10 * MINUTE_MS, 3 * MINUTE_MS);
  const ring = createHealthRing({ windowMs });
  const tracker = createGuardTracker(options.logger);
  let anchor: number | undefined;

  const newAnchor = (now: number): number => Math.floor(now / MINUTE_MS) * MINUTE_MS - 2 * MINUTE_MS;

  const fetchAndTrack = async (signal: AbortSignal, timeoutMs: number): Promise<void> => {
    const since = async (from: number, now: number) => {
      const window = durationFromMs(Math.max(MIN_WINDOW_MS, now - from - SKEW_MS));
      return options.registry.listModelStats({ window }, { timeoutMs, signal });
    };
    const policies = options.catalogue.snapshot()?.policies ?? [];
    const wanted = guarded(policies);
    if (!wanted.any) {
      tracker.update(policies, new Map(), clock());
      return;
    }
    const now = clock();
    if (anchor === undefined) {
      anchor = newAnchor(now);
      ring.rebase();
    }
    ring.observe(await since(anchor, now), clock());
    if (now - anchor > reanchorMs) {
      anchor = newAnchor(now);
      ring.rebase();
      ring.observe(await since(anchor, now), clock());
    }
    if (wanted.latency) ring.observeLatency(await since(now - MIN_WINDOW_MS - SKEW_MS, now));
    const at = clock();
    tracker.update(options.catalogue.snapshot()?.policies ?? policies, ring.figures(at), at);
  };

  const poll = createPeriodicPoll<void>(options, {
    component: "health-poller",
    fetch: fetchAndTrack,
    intervalMs,
    timeoutMs: Math.min(Math.max(intervalMs, 1000), 5000),
    messages: {
      failed: "health poll failed; guarded candidates keep their states until figures arrive",
      recovered: "health poll recovered",
    },
  });

  return {
    tracker,
    view: (): GuardHealth | undefined => tracker.view(),
    pollOnce: poll.pollOnce,
    close: poll.close,
  };
}
