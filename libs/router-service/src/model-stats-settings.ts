import type { RegistryService } from "@modelrouter/contracts";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { createModelStatsCollector } from "./model-stats-collector.js";
import { createModelStatsReporter, type IntervalTimer, type ModelStatsReporter } from "./model-stats-reporter.js";

/** How the router keeps live statistics of its attempts. */
export interface ModelStatsSettings {
  /** How often the counts are reported to the registry, in ms (> 0). */
  readonly intervalMs: number;
  /** Who reports: the host name or a replica id. */
  readonly reporter: string;
  /** At most this many (model, version, instance) keys per interval. Default: {@link DEFAULT_MODEL_STATS_KEYS}. */
  readonly maxKeys?: number;
  /** The deadline of one report, in ms. Default: the interval, from 1 s to 10 s. */
  readonly timeoutMs?: number;
  /** Default: a real `setInterval`. */
  readonly timer?: IntervalTimer;
}

/** The default bound on (model, version, instance) keys per interval. */
export const DEFAULT_MODEL_STATS_KEYS = 500;

/** Creates the collector the router's attempts are counted in and the reporter that sends its counts every interval. */
export function startModelStats(
  settings: ModelStatsSettings,
  registry: ServiceClient<typeof RegistryService>,
  logger: Logger,
): ModelStatsReporter {
  return createModelStatsReporter({
    collector: createModelStatsCollector({ maxKeys: settings.maxKeys ?? DEFAULT_MODEL_STATS_KEYS }),
    registry,
    logger,
    reporter: settings.reporter,
    intervalMs: settings.intervalMs,
    timeoutMs: settings.timeoutMs ?? Math.min(10_000, Math.max(1000, settings.intervalMs)),
    ...(settings.timer === undefined ? {} : { timer: settings.timer }),
  });
}
