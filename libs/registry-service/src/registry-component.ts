import { isAbsolute, resolve } from "node:path";
import type { EnvReader } from "@modelrouter/config";
import { RegistryService } from "@modelrouter/contracts";
import { type CredentialSources, DEFAULT_EGRESS_POLICY, type EgressPolicy, parseCredentialRef } from "@modelrouter/egress";
import type { Component } from "@modelrouter/host";
import { createDirectClient, type ServiceImpl } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { createRegistryService } from "./registry-service.js";
import { MLFLOW_SYNC_IDENTITY, serviceAs } from "./access/as-identity.js";
import { verifyApiKeyIn, type ApiKeyVerifier } from "./access/verify-api-key.js";
import { registryCatalogue } from "./mlflow/registry-catalogue.js";
import { readMlflowSyncConfig, startMlflowSyncLoop, type MlflowSyncConfig, type MlflowSyncLoop } from "./mlflow/sync-loop.js";
import { createExperimentMonitor, DEFAULT_EXPERIMENT_INTERVAL_MS, EXPERIMENT_INTERVAL_SETTING } from "./experiments/index.js";
import { DATABASE_URL_SETTING, POSTGRES_URL, resolveRegistryDatabase, type PostgresUrlReference } from "./storage/database-url-reference.js";
import { openRegistryDatabase, type RegistryDatabaseConfig } from "./storage/open-registry-database.js";
import { DEFAULT_DECISION_RETENTION_MS } from "./store/decision-retention.js";
import {
  DEFAULT_MAX_MODELS,
  DEFAULT_MAX_POLICIES,
  DEFAULT_QUOTAS,
  MAX_MODELS_SETTING,
  MAX_POLICIES_SETTING,
  type RegistryQuotas,
} from "./store/quotas.js";
import { DEFAULT_POLICY_REVISIONS_KEPT } from "./store/policy-revisions.js";
import { openRegistryStore } from "./store/registry-store.js";
import { DEFAULT_MAX_STATS_ROWS, DEFAULT_STATS_RETENTION_MS, MAX_STATS_ROWS_SETTING } from "./store/model-stats.js";

/** The environment variable that sets how long live model statistics are kept. */
export const STATS_RETENTION_SETTING = "MODELROUTER_STATS_RETENTION";

/** The environment variable that sets how many revisions of one policy the registry keeps. */
export const POLICY_REVISIONS_SETTING = "MODELROUTER_REGISTRY_POLICY_REVISIONS";

/** The registry's settings. */
export interface RegistryConfig {
  /** The embedded store, a PostgreSQL URL, or a reference to a secret holding one (read when the registry starts). */
  readonly database: RegistryDatabaseConfig | PostgresUrlReference;
  /** How long the decision log keeps a record, in ms after its time. */
  readonly decisionRetentionMs: number;
  /** How many model versions and policies the registry may hold (default 10,000 and 1,000). */
  readonly quotas?: RegistryQuotas;
  /** How many revisions of one policy are kept, oldest pruned first (default 50). */
  readonly policyRevisionsKept?: number;
  /** How long live model statistics are kept, in ms after their minute (default 24 hours). */
  readonly statsRetentionMs?: number;
  /** How many stored minutes of model statistics are held at most (default 1,000,000). */
  readonly maxStatsRows?: number;
  /** How often running experiments are looked at, in ms; 0: never (default 10 s). */
  readonly experimentIntervalMs?: number;
  /**
   * Where remote model servers may be (`oip` endpoint URLs are checked against it at registration); read by the
   * process with `readEgressPolicy` of `@modelrouter/egress`. Default: the default egress policy.
   */
  readonly egress?: EgressPolicy;
  /** The background sync from an MLflow model registry; undefined: none (`MODELROUTER_MLFLOW_TRACKING_URI` unset). */
  readonly mlflow?: MlflowSyncConfig;
}

/** The shortest decision log retention accepted from the environment: 1 minute, in ms. */
const MIN_DECISION_RETENTION_MS = 60_000;
/** The largest quota accepted from the environment: beyond, the engines' memory is the limit, not the registry. */
const MAX_QUOTA = 1_000_000;

/**
 * Reads `MODELROUTER_REGISTRY_DATABASE_URL` (a `postgres://` URL: use that PostgreSQL server; or `env:NAME` or
 * `file:/path` of a secret holding one, read when the registry starts) or else
 * `MODELROUTER_REGISTRY_DATA_DIR` (the embedded PGlite data directory, default `.modelrouter/registry`,
 * relative to `cwd`), `MODELROUTER_DECISION_RETENTION` (how long decision records are kept, a duration
 * such as `7d` or `12h`; default 7 days, at least 1 minute), and `MODELROUTER_REGISTRY_MAX_MODELS` and
 * `MODELROUTER_REGISTRY_MAX_POLICIES` (how many model versions and policies the registry accepts; default
 * 10,000 and 1,000; every decision engine holds them all in memory), and
 * `MODELROUTER_REGISTRY_POLICY_REVISIONS` (how many revisions of one policy are kept; default 50), and
 * `MODELROUTER_STATS_RETENTION` (how long live model statistics are kept; default 24h, at least 1 minute) and
 * `MODELROUTER_REGISTRY_MAX_STATS_ROWS` (how many minutes of statistics, one per model version, executor
 * instance and minute, are held; default 1,000,000), and `MODELROUTER_EXPERIMENT_INTERVAL` (how often running
 * experiments are looked at, a duration; default 10s; 0 turns the monitor off), and the MLflow sync loop's
 * `MODELROUTER_MLFLOW_*` settings (`readMlflowSyncConfig`; off when `MODELROUTER_MLFLOW_TRACKING_URI` is unset).
 */
export function readRegistryConfig(env: EnvReader, cwd: string): RegistryConfig {
  const quotas: RegistryQuotas = {
    maxModels: env.int(MAX_MODELS_SETTING, DEFAULT_MAX_MODELS, { min: 1, max: MAX_QUOTA }),
    maxPolicies: env.int(MAX_POLICIES_SETTING, DEFAULT_MAX_POLICIES, { min: 1, max: MAX_QUOTA }),
  };
  const policyRevisionsKept = env.int(POLICY_REVISIONS_SETTING, DEFAULT_POLICY_REVISIONS_KEPT, { min: 1, max: 10_000 });
  const decisionRetentionMs = env.durationMs("MODELROUTER_DECISION_RETENTION", DEFAULT_DECISION_RETENTION_MS);
  if (decisionRetentionMs < MIN_DECISION_RETENTION_MS) {
    const raw = JSON.stringify(env.optionalString("MODELROUTER_DECISION_RETENTION"));
    env.problem(`MODELROUTER_DECISION_RETENTION=${raw}: expected a duration of at least 1m, such as 7d or 12h`);
  }
  const statsRetentionMs = env.durationMs(STATS_RETENTION_SETTING, DEFAULT_STATS_RETENTION_MS);
  if (statsRetentionMs < MIN_DECISION_RETENTION_MS) {
    const raw = JSON.stringify(env.optionalString(STATS_RETENTION_SETTING));
    env.problem(`${STATS_RETENTION_SETTING}=${raw}: expected a duration of at least 1m, such as 24h`);
  }
  const maxStatsRows = env.int(MAX_STATS_ROWS_SETTING, DEFAULT_MAX_STATS_ROWS, { min: 1, max: 100_000_000 });
  const experimentIntervalMs = env.durationMs(EXPERIMENT_INTERVAL_SETTING, DEFAULT_EXPERIMENT_INTERVAL_MS);
  const mlflow = readMlflowSyncConfig(env);
  const stats = { statsRetentionMs, maxStatsRows, experimentIntervalMs, ...(mlflow === undefined ? {} : { mlflow }) };
  const url = env.optionalString(DATABASE_URL_SETTING);
  if (url !== undefined && (url.startsWith("env:") || url.startsWith("file:"))) {
    const parsed = parseCredentialRef(url);
    if (parsed.ref === undefined) env.problem(`${DATABASE_URL_SETTING} ${parsed.problem}`);
    const ref = parsed.ref ?? { kind: "env", name: DATABASE_URL_SETTING };
    return { database: { kind: "postgres-url-reference", ref }, decisionRetentionMs, quotas, policyRevisionsKept, ...stats };
  }
  if (url !== undefined) {
    if (!POSTGRES_URL.test(url)) {
      env.problem(`${DATABASE_URL_SETTING}: expected a postgres:// or postgresql:// URL, or env:NAME or file:/path of a secret holding one`);
    }
    return { database: { kind: "postgres", url }, decisionRetentionMs, quotas, policyRevisionsKept, ...stats };
  }
  const dir = env.string("MODELROUTER_REGISTRY_DATA_DIR", ".modelrouter/registry");
  const dataDir = isAbsolute(dir) ? dir : resolve(cwd, dir);
  return { database: { kind: "pglite", dataDir }, decisionRetentionMs, quotas, policyRevisionsKept, ...stats };
}

/** A running registry: its handlers, and how to close its database. */
export interface RegistryComponent extends Component<typeof RegistryService> {
  readonly impl: ServiceImpl<typeof RegistryService>;
  /**
   * Verifies an API key against this registry's store (see {@link verifyApiKeyIn}): what the registry's own
   * authenticator uses as `verifyApiKey`, without a call to itself.
   */
  readonly verifyApiKey: ApiKeyVerifier;
  readonly close: () => Promise<void>;
}

/**
 * Opens the database (migrating it) and creates the registry service on it.
 *
 * @param credentials where a database URL given by reference (`env:`/`file:`) is read.
 * @throws CredentialError (of `@modelrouter/egress`) when such a reference cannot be read or holds no PostgreSQL URL.
 */
export async function startRegistry(config: RegistryConfig, logger: Logger, credentials?: CredentialSources): Promise<RegistryComponent> {
  const db = await openRegistryDatabase(await resolveRegistryDatabase(config.database, credentials), logger);
  const store = await openRegistryStore({
    db,
    logger,
    decisionRetentionMs: config.decisionRetentionMs,
    ...(config.quotas === undefined ? {} : { quotas: config.quotas }),
    ...(config.policyRevisionsKept === undefined ? {} : { policyRevisionsKept: config.policyRevisionsKept }),
    ...(config.statsRetentionMs === undefined ? {} : { statsRetentionMs: config.statsRetentionMs }),
    ...(config.maxStatsRows === undefined ? {} : { maxStatsRows: config.maxStatsRows }),
  });
  const where = config.database.kind === "pglite" ? `PGlite at ${config.database.dataDir ?? "memory"}` : "PostgreSQL";
  logger.info("registry store open", {
    database: where,
    revision: await store.revision(),
    decisionRetentionMs: config.decisionRetentionMs,
    quotas: config.quotas ?? DEFAULT_QUOTAS,
  });
  const experiments = createExperimentMonitor({ store, logger, intervalMs: config.experimentIntervalMs ?? DEFAULT_EXPERIMENT_INTERVAL_MS });
  const impl = createRegistryService({
    store,
    logger,
    experimentMemory: experiments.memory,
    ...(config.egress === undefined ? {} : { egress: config.egress }),
  });
  let mlflow: MlflowSyncLoop | undefined;
  try {
    mlflow =
      config.mlflow === undefined
        ? undefined
        : startMlflowSyncLoop(config.mlflow, {
            catalogue: registryCatalogue(
              createDirectClient(RegistryService, serviceAs(impl, MLFLOW_SYNC_IDENTITY), { defaultTimeoutMs: 30_000 }),
            ),
            egress: config.egress ?? DEFAULT_EGRESS_POLICY,
            logger,
          });
  } catch (error) {
    await experiments.stop();
    await store.close();
    throw error;
  }
  return {
    service: RegistryService,
    impl,
    verifyApiKey: verifyApiKeyIn(store),
    close: async () => {
      await mlflow?.stop();
      await experiments.stop();
      await store.close();
    },
  };
}
