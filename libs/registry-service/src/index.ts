/**
 * The registry service: the durable catalogue of models and policies behind `RegistryService`, on embedded
 * PostgreSQL (PGlite, a locked data directory) or a PostgreSQL server (shareable by several replicas), with
 * one registry-wide revision, optimistic concurrency, keyset pagination and watch streams fed by an
 * append-only change log; and the decision log that routers write after answering and that feedback
 * completes, pruned after a retention period.
 *
 * Wiring: `openRegistryDatabase(config)` → `openRegistryStore({ db, logger })` → `createRegistryService({ store,
 * logger })`, served with the RPC kit; `store.close()` on shutdown.
 *
 * @packageDocumentation
 */
export { createRegistryService, type RegistryServiceOptions } from "./registry-service.js";
export { openRegistryStore, type RegistryStore, type RegistryStoreOptions } from "./store/registry-store.js";
export type { ModelFilter, ModelKey, UpdatableModelField } from "./store/model-store.js";
export { UPDATABLE_MODEL_FIELDS } from "./store/model-store.js";
export type { Page, PageRequest } from "./store/page.js";
export type { PutPolicyOptions, PutPolicyResult } from "./store/policy-store.js";
export type { ChangeKind, LoggedChange, ResourceKind } from "./store/change-log.js";
export type { BatchLimits, ChangeBatch, ChangeEncoding, EncodedChange } from "./store/watch-changes.js";
export { DEFAULT_QUOTAS, type RegistryQuotas } from "./store/quotas.js";
export type { FeedbackValue } from "./store/decision-store.js";
export {
  DEFAULT_DECISION_PRUNE_BATCH_SIZE,
  DEFAULT_DECISION_PRUNE_INTERVAL_MS,
  DEFAULT_DECISION_RETENTION_MS,
} from "./store/decision-retention.js";
export { MAX_DECISION_CLOCK_SKEW_MS, MAX_DECISION_TEXT_LENGTH, MAX_ATTEMPTED } from "./validation/decision-requests.js";
export { openRegistryDatabase, type RegistryDatabaseConfig } from "./storage/open-registry-database.js";
export { openPgliteDatabase, type PgliteDatabaseOptions } from "./storage/pglite-database.js";
export { openPostgresDatabase, type PostgresDatabaseOptions } from "./storage/postgres-database.js";
export { acquireDataDirLock, DataDirLockedError, LOCK_FILE_NAME, type DataDirLock, type LockOwner } from "./storage/data-dir-lock.js";
export { applyMigrations, REGISTRY_MIGRATIONS, type Migration, type MigrationResult } from "./storage/migrations.js";
export { unsafeDurabilitySettings, DURABILITY_SETTINGS } from "./storage/durability.js";
export {
  type SqlDatabase,
  type SqlDialect,
  type SqlExecutor,
  type SqlResult,
  type SqlRow,
} from "./storage/sql-database.js";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./validation/page-token.js";
export { readRegistryConfig, startRegistry, type RegistryComponent, type RegistryConfig } from "./registry-component.js";
