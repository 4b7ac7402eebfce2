import type { SqlRow } from "./sql-database.js";

/** What the registry's thread asks of the PGlite thread. Each request has an id; the answer carries it back. */
export type PgliteRequest =
  | { readonly type: "open"; readonly id: number; readonly dataDir: string; readonly settings: readonly string[] }
  /** A statement, in the transaction `tx` when given. */
  | { readonly type: "query"; readonly id: number; readonly sql: string; readonly params: readonly unknown[]; readonly tx?: number }
  /** Opens a transaction; the answer's `tx` names it in the queries and the end that follow. */
  | { readonly type: "begin"; readonly id: number }
  /** Commits (`commit`) or rolls back the transaction `tx`. */
  | { readonly type: "end"; readonly id: number; readonly tx: number; readonly commit: boolean }
  /** Checkpoints and closes the database. */
  | { readonly type: "close"; readonly id: number };

/** A request before it is given its id. */
export type PgliteQuestion = { [K in PgliteRequest["type"]]: Omit<Extract<PgliteRequest, { type: K }>, "id"> }[PgliteRequest["type"]];

/** The PGlite thread's answer to the request `id`. */
export type PgliteAnswer =
  | { readonly id: number; readonly ok: true; readonly rows?: readonly SqlRow[]; readonly tx?: number }
  | { readonly id: number; readonly ok: false; readonly error: SerializedError };

/** An error as it crosses threads: its message and PostgreSQL's fields (`code` is the SQLSTATE). */
export interface SerializedError {
  readonly message: string;
  readonly name: string;
  readonly fields: Readonly<Record<string, string | number>>;
}

/** The error as it can be posted to another thread, with the own string and number fields PostgreSQL's errors carry. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { message: String(error), name: "Error", fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(error)) if (typeof value === "string" || typeof value === "number") fields[key] = value;
  return { message: error.message, name: error.name, fields };
}

/** The error again, on the receiving thread: an `Error` with the same message, name and fields (such as `code`). */
export function deserializeError(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  error.name = serialized.name;
  Object.assign(error, serialized.fields);
  return error;
}
