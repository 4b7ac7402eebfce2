import type { MessageInitShape } from "@bufbuild/protobuf";
import { type BanditSchema, type Model, Strategy } from "@modelrouter/contracts";
import {
  type BanditArmState,
  type BanditState,
  type CompiledPolicy,
  type EvaluationResult,
  banditArmKey,
  compilePolicy,
  createModelCatalogue,
  evaluatePolicies,
  learnBanditReward,
} from "./index.js";
import { NOON, compiled, imageInput, model, modelTarget, policy, requestContext } from "./policy-fixtures.test-support.js";

/** The two digit models of the bandit specs. */
export const DIGIT_MODELS: readonly Model[] = [model("digits-a", "1"), model("digits-b", "1")];

/** A bandit policy ("learner") whose default route is a bandit over digits-a and digits-b. */
export function banditPolicy(bandit: MessageInitShape<typeof BanditSchema> | undefined): CompiledPolicy {
  return compiled({
    name: "learner",
    defaultRoute: { strategy: Strategy.BANDIT, targets: [modelTarget("digits-a"), modelTarget("digits-b")], bandit },
  });
}

/** The violations of a policy whose default route has this strategy and bandit, as "field: description". */
export function banditViolations(strategy: Strategy, bandit: MessageInitShape<typeof BanditSchema> | undefined): string[] {
  const result = compilePolicy(
    policy({ name: "learner", defaultRoute: { strategy, targets: [modelTarget("digits-a"), modelTarget("digits-b")], bandit } }),
  );
  return result.kind === "invalid" ? result.violations.map((v) => `${v.field}: ${v.description}`) : [];
}

/** A learned state the specs add rewards to, as the registry does from feedback. */
export class SimulatedBandit {
  private arms = new Map<string, BanditArmState>();
  private snapshot: BanditState = { arms: this.arms };

  /** Learns one reward of the model for a decision with these features (a new snapshot object, like a poll). */
  learn(name: string, features: readonly number[], reward: number): void {
    const key = banditArmKey(name, "1");
    this.arms = new Map(this.arms).set(key, learnBanditReward(this.arms.get(key), features, reward));
    this.snapshot = { arms: this.arms };
  }

  /** The state as a decision engine would see it now. */
  state(): BanditState {
    return this.snapshot;
  }
}

/** Decides one 28×28 (or `width`-wide) image request with the bandit policy and this state. */
export function decideBandit(
  compiledPolicy: CompiledPolicy,
  state: BanditState | undefined,
  random: () => number,
  width = 28,
  explain = false,
): EvaluationResult {
  return evaluatePolicies({
    policies: [compiledPolicy],
    catalogue: createModelCatalogue(DIGIT_MODELS, 1n),
    profile: imageInput(width, width),
    context: requestContext({}),
    now: NOON,
    random,
    explain,
    bandits: () => state,
  });
}

/** The probability the decision gives digits-a: the propensity of the first arm drawn with u = 0. */
export function shareOfA(compiledPolicy: CompiledPolicy, state: BanditState | undefined, width = 28): number {
  const result = decideBandit(compiledPolicy, state, () => 0, width);
  return result.decision.target?.model?.name === "digits-a" ? result.decision.propensity : 0;
}
