import type { ListBanditArmsResponse } from "@modelrouter/contracts";
import { type BanditArmState, type BanditState, type BanditStates, banditArmKey } from "@modelrouter/policy";

/** What every bandit had learned at one poll of `ListBanditArms`; immutable. */
export interface BanditSnapshot {
  /** When the answer arrived, in epoch milliseconds. */
  readonly receivedAt: number;
  /** Each bandit's state by its key. */
  readonly byBandit: ReadonlyMap<string, BanditState>;
  /** The states by key, as the evaluator reads them. */
  readonly states: BanditStates;
}

/** Builds a snapshot from one `ListBanditArms` answer (every bandit's arms). */
export function banditSnapshot(response: ListBanditArmsResponse, receivedAt: number): BanditSnapshot {
  const arms = new Map<string, Map<string, BanditArmState>>();
  for (const arm of response.arms) {
    let byModel = arms.get(arm.bandit);
    if (byModel === undefined) {
      byModel = new Map();
      arms.set(arm.bandit, byModel);
    }
    byModel.set(banditArmKey(arm.model?.name ?? "", arm.model?.version ?? ""), {
      pulls: Number(arm.pulls),
      rewardSum: arm.rewardSum,
      rewardSquareSum: arm.rewardSquareSum,
      dimension: arm.dimension,
      gram: arm.gram,
      rewardFeatures: arm.rewardFeatures,
    });
  }
  const byBandit = new Map<string, BanditState>([...arms].map(([key, byModel]) => [key, { arms: byModel }]));
  return { receivedAt, byBandit, states: (key) => byBandit.get(key) };
}
