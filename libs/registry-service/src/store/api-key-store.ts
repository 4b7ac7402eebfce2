import { create, toJson, type JsonValue } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ApiKeySchema, type ApiKey, type Role } from "@modelrouter/contracts";
import { ERROR_DOMAIN, ErrorReason } from "@modelrouter/errors";
import { Code, RpcError } from "@modelrouter/rpc-kit";
import type { SqlExecutor } from "../storage/sql-database.js";
import { appendAuditEvent, type AuditActor } from "./audit-log.js";
import type { StoreContext } from "./store-context.js";

/** An API key as stored: the key (never its secret) and the SHA-256 hash of its secret. */
export interface StoredApiKey {
  readonly key: ApiKey;
  readonly secretHash: string;
}

/** ListApiKeys filters. */
export interface ApiKeyFilter {
  /** Only this tenant's keys. */
  readonly tenant?: string;
  /** Revoked and expired keys too. */
  readonly includeInactive: boolean;
}

/** The audit log's resource name of a key. */
export function apiKeyResource(id: string): string {
  return `api-key/${id}`;
}

/** A key as the audit log and the API show it: never a secret or a hash. */
export function apiKeyToJson(key: ApiKey): JsonValue {
  return toJson(ApiKeySchema, key);
}

/**
 * Stores a new key (its `id`, tenant, roles, tier, description, expiry and `createdBy` set by the caller) with its
 * create time, and audits it as CreateApiKey in the same transaction. Keys take no registry revision.
 */
export async function insertApiKey(ctx: StoreContext, key: ApiKey, secretHash: string, actor: AuditActor): Promise<ApiKey> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const stored = create(ApiKeySchema, { ...key, createTime: timestampFromDate(now), revokeTime: undefined });
    await tx.query(
      `INSERT INTO registry_api_keys (id, tenant, roles, description, secret_hash, created_at, expires_at, revoked_at, created_by, tier)
        VALUES ($1, $2, $3::integer[], $4, $5, $6, $7, NULL, $8, $9)`,
      [
        stored.id,
        stored.tenant,
        [...stored.roles],
        stored.description,
        secretHash,
        now,
        stored.expireTime === undefined ? null : timestampDate(stored.expireTime),
        stored.createdBy,
        stored.tier,
      ],
    );
    await appendAuditEvent(tx, now, { actor, action: "CreateApiKey", resource: apiKeyResource(stored.id), after: apiKeyToJson(stored), revision: 0n });
    return stored;
  });
}

/**
 * Revokes a key now, auditing it as RevokeApiKey; a key already revoked is returned unchanged (and not audited again).
 *
 * @throws RpcError NOT_FOUND (reason API_KEY_NOT_FOUND) when there is no key of that id.
 */
export async function revokeApiKey(ctx: StoreContext, id: string, actor: AuditActor): Promise<ApiKey> {
  return ctx.db.transaction(async (tx) => {
    const found = await selectApiKey(tx, id, true);
    if (found === undefined) throw apiKeyNotFound(id);
    if (found.key.revokeTime !== undefined) return found.key;
    const now = ctx.now();
    await tx.query("UPDATE registry_api_keys SET revoked_at = $2 WHERE id = $1", [id, now]);
    const revoked = create(ApiKeySchema, { ...found.key, revokeTime: timestampFromDate(now) });
    await appendAuditEvent(tx, now, {
      actor,
      action: "RevokeApiKey",
      resource: apiKeyResource(id),
      before: apiKeyToJson(found.key),
      after: apiKeyToJson(revoked),
      revision: 0n,
    });
    return revoked;
  });
}

/** One key with its secret's hash, or undefined when there is none of that id. */
export async function findApiKey(db: SqlExecutor, id: string): Promise<StoredApiKey | undefined> {
  return selectApiKey(db, id, false);
}

/** The keys matching `filter`, newest first (a registry holds few keys: no paging). */
export async function queryApiKeys(db: SqlExecutor, filter: ApiKeyFilter, now: Date): Promise<ApiKey[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.tenant !== undefined) {
    params.push(filter.tenant);
    where.push(`tenant = $${params.length}`);
  }
  if (!filter.includeInactive) {
    params.push(now);
    where.push(`revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $${params.length})`);
  }
  const clause = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
  const { rows } = await db.query(`SELECT * FROM registry_api_keys ${clause} ORDER BY created_at DESC, id DESC`, params);
  return rows.map((row) => apiKeyOf(row).key);
}

async function selectApiKey(db: SqlExecutor, id: string, forUpdate: boolean): Promise<StoredApiKey | undefined> {
  const { rows } = await db.query(`SELECT * FROM registry_api_keys WHERE id = $1${forUpdate ? " FOR UPDATE" : ""}`, [id]);
  return rows[0] === undefined ? undefined : apiKeyOf(rows[0]);
}

function apiKeyOf(row: Readonly<Record<string, unknown>>): StoredApiKey {
  const time = (value: unknown) => (value === null || value === undefined ? undefined : timestampFromDate(new Date(value as Date | string)));
  const key = create(ApiKeySchema, {
    id: String(row["id"]),
    tenant: String(row["tenant"]),
    roles: (row["roles"] as readonly number[]).map((role) => Number(role) as Role),
    description: String(row["description"]),
    createTime: time(row["created_at"]),
    expireTime: time(row["expires_at"]),
    revokeTime: time(row["revoked_at"]),
    createdBy: String(row["created_by"]),
    tier: String(row["tier"] ?? ""),
  });
  return { key, secretHash: String(row["secret_hash"]) };
}

function apiKeyNotFound(id: string): RpcError {
  return new RpcError({
    code: Code.NOT_FOUND,
    reason: ErrorReason.API_KEY_NOT_FOUND,
    domain: ERROR_DOMAIN,
    message: `API key "${id}" does not exist: see ListApiKeys (include_inactive) for the ids`,
    metadata: { id },
  });
}
