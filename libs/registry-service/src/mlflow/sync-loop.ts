import { readFile } from "node:fs/promises";
import type { EnvReader } from "@modelrouter/config";
import { checkEndpointUrl, credentialRefProblem, readCredential, type EgressPolicy } from "@modelrouter/egress";
import type { Logger } from "@modelrouter/telemetry";
import { createMlflowClient } from "./mlflow-client.js";
import { syncFromMlflow, type ModelCatalogue, type SyncReport } from "./sync-mlflow.js";

/** The settings of the registry's MLflow sync loop. */
export const MLFLOW_SETTINGS = {
  trackingUri: "MODELROUTER_MLFLOW_TRACKING_URI",
  interval: "MODELROUTER_MLFLOW_SYNC_INTERVAL",
  credential: "MODELROUTER_MLFLOW_CREDENTIAL",
  endpointTemplate: "MODELROUTER_MLFLOW_ENDPOINT_TEMPLATE",
} as const;

/** The default time between two syncs: 60 s. */
export const DEFAULT_MLFLOW_SYNC_INTERVAL_MS = 60_000;

/** How the registry syncs from MLflow in the background. */
export interface MlflowSyncConfig {
  /** The tracking server, `http(s)://host:port`. */
  readonly trackingUri: string;
  readonly intervalMs: number;
  /** `env:NAME` or `file:/path`: where the bearer token is read before every sync; undefined: none. */
  readonly credential?: string;
  /** The endpoint of versions without a `modelrouter.endpoint` tag, with `{name}` and `{version}`. */
  readonly endpointTemplate?: string;
}

/**
 * Reads `MODELROUTER_MLFLOW_TRACKING_URI` (unset: no sync loop, undefined), `MODELROUTER_MLFLOW_SYNC_INTERVAL`
 * (a duration, default 60s, at least 1s), `MODELROUTER_MLFLOW_CREDENTIAL` (`env:NAME` or `file:/path`) and
 * `MODELROUTER_MLFLOW_ENDPOINT_TEMPLATE`, reporting each bad value to `env`.
 */
export function readMlflowSyncConfig(env: EnvReader): MlflowSyncConfig | undefined {
  const trackingUri = env.optionalString(MLFLOW_SETTINGS.trackingUri);
  const intervalMs = env.durationMs(MLFLOW_SETTINGS.interval, DEFAULT_MLFLOW_SYNC_INTERVAL_MS);
  const credential = env.optionalString(MLFLOW_SETTINGS.credential);
  const endpointTemplate = env.optionalString(MLFLOW_SETTINGS.endpointTemplate);
  if (trackingUri === undefined) return undefined;
  if (!/^https?:\/\//u.test(trackingUri)) env.problem(`${MLFLOW_SETTINGS.trackingUri}: expected an http:// or https:// URL of the MLflow tracking server`);
  if (intervalMs < 1000) env.problem(`${MLFLOW_SETTINGS.interval}: expected a duration of at least 1s, such as 60s`);
  if (credential !== undefined && credentialRefProblem(credential) !== undefined) {
    env.problem(`${MLFLOW_SETTINGS.credential}: expected env:NAME or file:/path, where the registry reads MLflow's bearer token (never the token itself)`);
  }
  return {
    trackingUri,
    intervalMs,
    ...(credential === undefined ? {} : { credential }),
    ...(endpointTemplate === undefined ? {} : { endpointTemplate }),
  };
}

/** A running sync loop. */
export interface MlflowSyncLoop {
  /** Syncs now (also what each tick does). */
  syncOnce(): Promise<SyncReport>;
  /** Stops the loop; resolves when a sync under way has ended. */
  stop(): Promise<void>;
}

/**
 * Starts syncing MLflow into `catalogue` every `intervalMs` (the first sync right away). The tracking URI must
 * pass the egress policy (`checkEndpointUrl`), else this throws naming the setting. Each sync reads the
 * credential again (a rotated secret file is picked up) and logs its counts; a failed sync is logged and the
 * next one tries again. The credential is never logged.
 */
export function startMlflowSyncLoop(config: MlflowSyncConfig, deps: { catalogue: ModelCatalogue; egress: EgressPolicy; logger: Logger }): MlflowSyncLoop {
  const problem = checkEndpointUrl(deps.egress, config.trackingUri).problem;
  if (problem !== undefined) throw new Error(`${MLFLOW_SETTINGS.trackingUri}=${config.trackingUri} ${problem}`);
  const logger = deps.logger.child({ component: "mlflow-sync" });
  const syncOnce = async (): Promise<SyncReport> => {
    const credential =
      config.credential === undefined ? undefined : await readCredential(config.credential, { env: process.env, readFile: (path) => readFile(path, "utf8") });
    const client = createMlflowClient({ trackingUri: config.trackingUri, ...(credential === undefined ? {} : { credential }) });
    const report = await syncFromMlflow(client, deps.catalogue, config.endpointTemplate === undefined ? {} : { endpointTemplate: config.endpointTemplate });
    const changed = report.counts.created + report.counts.updated + report.counts.failed > 0;
    if (changed) logger.info("mlflow sync", { ...report.counts, lines: report.lines.filter((l) => l.outcome !== "unchanged").map((l) => `${l.outcome} ${l.model} ${l.detail}`) });
    return report;
  };
  let stopped = false;
  let running: Promise<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    running = syncOnce()
      .catch((error: unknown) => logger.warn("mlflow sync failed; the next sync tries again", { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        running = undefined;
        if (stopped) return;
        timer = setTimeout(tick, config.intervalMs);
        timer.unref();
      });
  };
  tick();
  return {
    syncOnce,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
