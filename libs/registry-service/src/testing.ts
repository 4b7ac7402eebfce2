/**
 * The registry's parts for other projects' tests: a registry service on a store of their choosing (PGlite in
 * memory, a throwaway PostgreSQL), and the name of the data directory's lock file. Production code imports the
 * main entry point only (enforced by lint).
 *
 * @packageDocumentation
 */
export { createRegistryService, type RegistryServiceOptions } from "./registry-service.js";
export { openRegistryStore, type RegistryStore, type RegistryStoreOptions } from "./store/registry-store.js";
export { openPgliteDatabase, type PgliteDatabaseOptions } from "./storage/pglite-database.js";
export { openPostgresDatabase, type PostgresDatabaseOptions } from "./storage/postgres-database.js";
export { LOCK_FILE_NAME } from "./storage/data-dir-lock.js";
export {
  startFakeMlflowServer,
  type FakeMlflowModel,
  type FakeMlflowServer,
  type FakeMlflowVersion,
} from "./mlflow/fake-mlflow-server.js";
