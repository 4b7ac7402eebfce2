import type { DecisionRecord } from "@modelrouter/contracts";
import { MAX_BANDIT_FEATURES, learnBanditReward } from "@modelrouter/policy";
import type { SqlDatabase } from "../storage/sql-database.js";
import { attachFeedback, type FeedbackValue } from "../store/decision-store.js";
import { decisionFromRow } from "../store/decision-rows.js";
import { lockArm, storeArm } from "./bandit-arm-rows.js";
import { feedbackReward, teachesBandit } from "./bandit-reward.js";
import { rewardContext } from "./reward-lookup.js";

/**
 * Attaches feedback to a logged decision (see `attachFeedback`) and, in the same transaction, teaches the
 * bandit that chose it (when one did and its model answered): the arm of the served model version learns the
 * feedback's reward for the decision's features, by the route's `bandit.reward` as stored now (the default reward
 * when it is empty, or when the policy or its bandit changed since the decision; see `rewardContext`). Feedback that replaces earlier feedback first takes the
 * earlier reward back out, so a request never counts twice. The decision row is locked while this runs, so
 * concurrent feedback on one request is applied in turn. A record with more features than a bandit may declare
 * teaches nothing.
 *
 * @throws DomainError REQUEST_NOT_FOUND when no record has this request id.
 */
export async function attachFeedbackAndLearn(
  db: SqlDatabase,
  requestId: string,
  value: FeedbackValue,
  now: Date,
): Promise<DecisionRecord> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query("SELECT body, feedback FROM registry_decisions WHERE request_id = $1 FOR UPDATE", [
      requestId,
    ]);
    const before = rows[0] === undefined ? undefined : decisionFromRow(rows[0]["body"], rows[0]["feedback"]);
    const after = await attachFeedback(tx, requestId, value, now);
    if (before === undefined || !teachesBandit(after) || after.features.length > MAX_BANDIT_FEATURES) return after;
    const { reward: learnsBy, cost } = await rewardContext(tx, after);
    const previous = feedbackReward(before.feedback, before, learnsBy, cost);
    const reward = feedbackReward(after.feedback, after, learnsBy, cost);
    if (previous === reward) return after;
    const key = { bandit: after.bandit, name: after.model?.name ?? "", version: after.model?.version ?? "" };
    let arm = await lockArm(tx, key);
    if (previous !== undefined) arm = learnBanditReward(arm, after.features, previous, -1);
    if (reward !== undefined) arm = learnBanditReward(arm, after.features, reward, 1);
    if (arm !== undefined) await storeArm(tx, key, arm, now);
    return after;
  });
}
