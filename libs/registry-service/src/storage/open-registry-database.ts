import type { Logger } from "@modelrouter/telemetry";
import { openPgliteDatabase } from "./pglite-database.js";
import { openPostgresDatabase } from "./postgres-database.js";
import type { SqlDatabase } from "./sql-database.js";

/** Where the registry keeps its state. */
export type RegistryDatabaseConfig =
  | {
      /** Embedded PostgreSQL: zero setup, one process per data directory. */
      readonly kind: "pglite";
      /** The data directory. Absent: in memory (tests only: everything is lost on close). */
      readonly dataDir?: string;
    }
  | {
      /** A PostgreSQL server, shareable by several registry replicas. */
      readonly kind: "postgres";
      readonly url: string;
      /** Pool size. Default 10. */
      readonly maxConnections?: number;
    };

/** Opens the configured database (without migrating it: `openRegistryStore` does that). */
export function openRegistryDatabase(config: RegistryDatabaseConfig, logger?: Logger): Promise<SqlDatabase> {
  switch (config.kind) {
    case "pglite":
      return openPgliteDatabase({
        ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
        ...(logger === undefined ? {} : { logger }),
      });
    case "postgres":
      return openPostgresDatabase({
        url: config.url,
        ...(config.maxConnections === undefined ? {} : { maxConnections: config.maxConnections }),
        ...(logger === undefined ? {} : { logger }),
      });
  }
}
