import { DomainError, ErrorReason } from "@modelrouter/errors";
import type { SqlExecutor } from "../storage/sql-database.js";

/**
 * How many resources the registry holds at most. Every decision engine keeps all of them in memory and
 * receives all of them when it (re)connects, so the registry refuses to grow past these.
 */
export interface RegistryQuotas {
  /** Model versions, counting every version of every model. */
  readonly maxModels: number;
  readonly maxPolicies: number;
}

/** The default most model versions: 10,000. */
export const DEFAULT_MAX_MODELS = 10_000;
/** The default most policies: 1,000. */
export const DEFAULT_MAX_POLICIES = 1_000;
/** The environment variable that sets {@link RegistryQuotas.maxModels}. */
export const MAX_MODELS_SETTING = "MODELROUTER_REGISTRY_MAX_MODELS";
/** The environment variable that sets {@link RegistryQuotas.maxPolicies}. */
export const MAX_POLICIES_SETTING = "MODELROUTER_REGISTRY_MAX_POLICIES";

/** The default quotas. */
export const DEFAULT_QUOTAS: RegistryQuotas = Object.freeze({ maxModels: DEFAULT_MAX_MODELS, maxPolicies: DEFAULT_MAX_POLICIES });

interface Quota {
  readonly table: "registry_models" | "registry_policies";
  /** What is counted, plural: "model versions". */
  readonly what: string;
  readonly setting: string;
  /** How to make room, for the message. */
  readonly remedy: string;
}

const MODEL_QUOTA: Quota = {
  table: "registry_models",
  what: "model versions",
  setting: MAX_MODELS_SETTING,
  remedy: "deregister versions that are no longer served (RETIRED ones first)",
};

const POLICY_QUOTA: Quota = {
  table: "registry_policies",
  what: "policies",
  setting: MAX_POLICIES_SETTING,
  remedy: "delete policies that are no longer used",
};

/**
 * Refuses one more model version when the registry holds `limit` or more. Call it in the write transaction
 * after the revision is taken: writers are serialised there, so the count cannot change underneath.
 *
 * @throws DomainError QUOTA_EXCEEDED.
 */
export function checkModelQuota(tx: SqlExecutor, limit: number): Promise<void> {
  return checkQuota(tx, MODEL_QUOTA, limit);
}

/** Refuses one more policy when the registry holds `limit` or more, like {@link checkModelQuota}. */
export function checkPolicyQuota(tx: SqlExecutor, limit: number): Promise<void> {
  return checkQuota(tx, POLICY_QUOTA, limit);
}

async function checkQuota(tx: SqlExecutor, quota: Quota, limit: number): Promise<void> {
  const { rows } = await tx.query(`SELECT count(*)::int AS n FROM ${quota.table}`);
  const count = Number(rows[0]?.["n"] ?? 0);
  if (count < limit) return;
  throw new DomainError(
    ErrorReason.QUOTA_EXCEEDED,
    `the registry holds ${count} ${quota.what}, its limit of ${limit} (${quota.setting}): ${quota.remedy}, ` +
      `or raise ${quota.setting} on the registry`,
    { metadata: { limit: String(limit), count: String(count), setting: quota.setting } },
  );
}
