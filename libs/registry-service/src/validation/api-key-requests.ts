import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { Role, type ApiKey, type CreateApiKeyRequest, type ListApiKeysRequest, type RevokeApiKeyRequest } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import type { ApiKeyFilter } from "../store/api-key-store.js";

/** A tenant: letters, digits, '-', '_' and '.', 1 to 63 characters. */
const TENANT = /^[A-Za-z0-9._-]{1,63}$/;
/** A service tier: letters, digits, '-', '_' and '.', at most 63 characters; empty for none. */
const TIER = /^[A-Za-z0-9._-]{0,63}$/;
/** A key's public id: 12 lower-case hex digits (see `@modelrouter/auth`'s `newApiKey`). */
const KEY_ID = /^[0-9a-f]{12}$/;
/** The longest description of a key. */
export const MAX_API_KEY_DESCRIPTION = 256;
const ROLES = new Set<number>([Role.ADMIN, Role.POLICY_EDITOR, Role.CLIENT, Role.VIEWER]);

/** What CreateApiKey stores, checked: tenant, roles (deduplicated), tier, description, expiry. */
export interface CreateApiKeyInput {
  readonly tenant: string;
  /** The service tier of the key's requests; "" for none (the request's own). */
  readonly tier: string;
  readonly roles: readonly Role[];
  readonly description: string;
  readonly expireTime?: Timestamp;
}

/**
 * Checks a CreateApiKey request against the store's clock `now`.
 *
 * @throws DomainError INVALID_FIELD naming each bad field (`key.tenant`, `key.roles`, `key.tier`, `key.description`, `key.expire_time`).
 */
export function parseCreateApiKey(request: CreateApiKeyRequest, now: Date): CreateApiKeyInput {
  const v = new Violations();
  const key: Partial<ApiKey> = request.key ?? {};
  const tenant = key.tenant ?? "";
  if (!TENANT.test(tenant)) {
    v.add("key.tenant", `${tenant === "" ? "is empty" : `"${tenant.slice(0, 80)}" is not a tenant`}: give 1 to 63 letters, digits, '-', '_' or '.', for example "acme-prod"`);
  }
  const roles = [...new Set(key.roles ?? [])];
  if (roles.length === 0) v.add("key.roles", "is empty: give at least one role (admin, policy-editor, client or viewer)");
  for (const role of roles) {
    if (!ROLES.has(role)) v.add("key.roles", `has ${role}, which is not a role: use admin, policy-editor, client or viewer`);
  }
  const tier = key.tier ?? "";
  if (!TIER.test(tier)) {
    v.add("key.tier", `"${tier.slice(0, 80)}" is not a tier: give at most 63 letters, digits, '-', '_' or '.', for example "premium", or leave it empty`);
  }
  const description = key.description ?? "";
  if (description.length > MAX_API_KEY_DESCRIPTION) {
    v.add("key.description", `is ${description.length} characters long: keep it to at most ${MAX_API_KEY_DESCRIPTION}`);
  }
  const expireTime = key.expireTime;
  if (expireTime !== undefined && timestampDate(expireTime).getTime() <= now.getTime()) {
    v.add("key.expire_time", `(${timestampDate(expireTime).toISOString()}) is not in the future: give a later time, or none for a key that does not expire`);
  }
  v.throwIfAny("the API key cannot be created");
  return { tenant, roles, tier, description, ...(expireTime === undefined ? {} : { expireTime }) };
}

/**
 * The filter of a ListApiKeys request.
 *
 * @throws DomainError INVALID_FIELD `tenant` when it is not a tenant.
 */
export function parseListApiKeys(request: ListApiKeysRequest): ApiKeyFilter {
  const v = new Violations();
  if (request.tenant !== "" && !TENANT.test(request.tenant)) {
    v.add("tenant", "is not a tenant: give 1 to 63 letters, digits, '-', '_' or '.', or leave it empty for every tenant");
  }
  v.throwIfAny("invalid ListApiKeys request");
  return { includeInactive: request.includeInactive, ...(request.tenant === "" ? {} : { tenant: request.tenant }) };
}

/**
 * The id of a RevokeApiKey request.
 *
 * @throws DomainError INVALID_FIELD `id` when it is not a key id.
 */
export function parseRevokeApiKey(request: RevokeApiKeyRequest): string {
  const v = new Violations();
  if (!KEY_ID.test(request.id)) {
    v.add("id", "is not an API key id: give the 12 hex digits ListApiKeys shows (the part after \"mrk_\", not the whole key)");
  }
  v.throwIfAny("invalid RevokeApiKey request");
  return request.id;
}
