import { type CredentialRef, type CredentialSources, CredentialError, formatCredentialRef, readCredential } from "@modelrouter/egress";
import type { RegistryDatabaseConfig } from "./open-registry-database.js";

/** The variable that names the registry's PostgreSQL database. */
export const DATABASE_URL_SETTING = "MODELROUTER_REGISTRY_DATABASE_URL";

/** A `postgres://` or `postgresql://` URL. */
export const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * The registry's PostgreSQL URL given by reference (`env:NAME` or `file:/path`, as a Kubernetes Secret is
 * mounted), so that its password is neither in the process's configuration nor in a listing of it. Read once, when
 * the registry starts ({@link resolveRegistryDatabase}).
 */
export interface PostgresUrlReference {
  readonly kind: "postgres-url-reference";
  readonly ref: CredentialRef;
}

/**
 * The database to open: a reference's URL read from where it points (trimmed) and checked to be PostgreSQL's;
 * any other setting as it is.
 *
 * @throws CredentialError naming the reference (never the value) when it cannot be read, is empty, or holds no
 *   `postgres://` URL, or when no credential sources were given to read it with.
 */
export async function resolveRegistryDatabase(
  database: RegistryDatabaseConfig | PostgresUrlReference,
  credentials: CredentialSources | undefined,
): Promise<RegistryDatabaseConfig> {
  if (database.kind !== "postgres-url-reference") return database;
  const shown = formatCredentialRef(database.ref);
  if (credentials === undefined) throw new CredentialError(shown, `${DATABASE_URL_SETTING} is a reference, but the registry was started without a way to read it (a bug)`);
  const url = (await readCredential(database.ref, credentials)).reveal();
  if (!POSTGRES_URL.test(url)) {
    throw new CredentialError(shown, `holds no postgres:// or postgresql:// URL: put the registry database's URL there (${DATABASE_URL_SETTING})`);
  }
  return { kind: "postgres", url };
}
