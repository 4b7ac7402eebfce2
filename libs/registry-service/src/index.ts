/**
 * The registry service: the durable catalogue of models and policies behind `RegistryService`, on embedded
 * PostgreSQL (PGlite, a locked data directory) or a PostgreSQL server (shareable by several replicas), with
 * one registry-wide revision, optimistic concurrency, keyset pagination and watch streams fed by an
 * append-only change log; and the decision log that routers write after answering and that feedback
 * completes, pruned after a retention period.
 *
 * A process reads {@link readRegistryConfig} once and {@link startRegistry} returns the component to serve (or
 * to call in-process). What other projects' tests need is in `@modelrouter/registry-service/testing`.
 *
 * @packageDocumentation
 */
export {
  POLICY_REVISIONS_SETTING,
  readRegistryConfig,
  startRegistry,
  type RegistryComponent,
  type RegistryConfig,
} from "./registry-component.js";
export type { RegistryDatabaseConfig } from "./storage/open-registry-database.js";
export { resolveRegistryDatabase, type PostgresUrlReference } from "./storage/database-url-reference.js";
export type { RegistryQuotas } from "./store/quotas.js";
export { verifyApiKeyIn, type ApiKeyVerifier } from "./access/verify-api-key.js";
