import type { DecisionRecord } from "@modelrouter/contracts";
import { type CompiledReward, parseBanditKey, storedBanditReward } from "@modelrouter/policy";
import type { SqlExecutor } from "../storage/sql-database.js";
import { findModel } from "../store/model-store.js";
import { findPolicy } from "../store/policy-store.js";

/** A bandit's reward and the served version's cost, for one decision's feedback. */
export interface RewardContext {
  /** Undefined: the default reward. */
  readonly reward: CompiledReward | undefined;
  /** The served version's declared `cost_per_request` (0 when not declared or when the reward is the default). */
  readonly cost: number;
}

/**
 * The reward the decision's bandit learns by, from the policy as stored now (see `storedBanditReward`): the
 * default when the policy is gone or its bandit's features or reward changed since the decision; and, for a
 * reward expression, the served version's cost.
 */
export async function rewardContext(tx: SqlExecutor, record: DecisionRecord): Promise<RewardContext> {
  const parts = parseBanditKey(record.bandit);
  if (parts === undefined) return { reward: undefined, cost: 0 };
  const policy = await findPolicy(tx, parts.policy).catch(() => undefined);
  const reward = policy === undefined ? undefined : storedBanditReward(policy, record.bandit);
  if (reward === undefined || reward.source === "") return { reward, cost: 0 };
  const model = await findModel(tx, record.model?.name ?? "", record.model?.version ?? "").catch(() => undefined);
  return { reward, cost: model?.metrics?.costPerRequest ?? 0 };
}
