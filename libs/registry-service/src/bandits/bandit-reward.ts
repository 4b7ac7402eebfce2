import type { DecisionRecord, Feedback } from "@modelrouter/contracts";
import { type CompiledReward, defaultReward } from "@modelrouter/policy";

/**
 * The reward a bandit learns from one piece of feedback on a decision, by the bandit's reward (the default
 * when `reward` is undefined): undefined for no feedback.
 */
export function feedbackReward(
  feedback: Feedback | undefined,
  record: DecisionRecord,
  reward: CompiledReward | undefined,
  cost: number,
): number | undefined {
  const value = feedback?.value;
  if (value?.case !== "label" && value?.case !== "reward") return undefined;
  const input = {
    feedback: {
      correct: value.case === "label" && feedback?.correct === true,
      hasLabel: value.case === "label",
      reward: value.case === "reward" ? value.value : 0,
      hasReward: value.case === "reward",
    },
    latencyMs: record.latencyMs,
    cost,
  };
  return reward === undefined ? defaultReward(input) : reward.reward(input);
}

/** Whether feedback on this decision teaches a bandit: a bandit chose, and its model answered. */
export function teachesBandit(record: DecisionRecord): boolean {
  return record.bandit !== "" && (record.model?.name ?? "") !== "" && record.code === 0;
}
