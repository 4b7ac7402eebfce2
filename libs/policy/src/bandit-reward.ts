import { Environment, type ParseResult } from "@marcbachmann/cel-js";
import { estimateCost } from "./cost-estimate.js";
import type { PolicyLimits } from "./limits.js";
import type { CompileReport } from "./policy-violation.js";
import { positionAt } from "./source-position.js";

/** The feedback on one answered request, as a reward expression reads it (`feedback`). */
export interface RewardFeedback {
  /** For a label: whether the answer was right. */
  readonly correct: boolean;
  readonly hasLabel: boolean;
  /** The feedback's reward (0 for a label). */
  readonly reward: number;
  readonly hasReward: boolean;
}

/** What one reward is computed from. */
export interface RewardInput {
  readonly feedback: RewardFeedback;
  /** The latency of the attempt that answered, in milliseconds. */
  readonly latencyMs: number;
  /** The served version's declared `cost_per_request` (0 when not declared). */
  readonly cost: number;
}

/** `feedback` in a reward expression. */
class FeedbackValue {
  readonly correct: boolean;
  readonly has_label: boolean;
  readonly reward: number;
  readonly has_reward: boolean;
  constructor(f: RewardFeedback) {
    this.correct = f.correct;
    this.has_label = f.hasLabel;
    this.reward = f.reward;
    this.has_reward = f.hasReward;
  }
}

/**
 * The default reward, and the reward of an expression that fails at run time: for a label, 1 when the answer
 * was right and 0 when not; else the feedback's reward clamped to [0, 1].
 */
export function defaultReward(input: RewardInput): number {
  if (input.feedback.hasLabel) return input.feedback.correct ? 1 : 0;
  return clampReward(input.feedback.reward);
}

/** A reward in [0, 1]; anything that is not a finite number is 0. */
export function clampReward(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** A bandit's reward: the route's `bandit.reward` compiled, or the default. */
export interface CompiledReward {
  /** The expression as written; empty for the default. */
  readonly source: string;
  /** The reward of one answered request, in [0, 1]. */
  reward(input: RewardInput): number;
}

const DEFAULT_REWARD: CompiledReward = { source: "", reward: defaultReward };

let environment: Environment | undefined;

function rewardEnvironment(limits: PolicyLimits): Environment {
  if (environment !== undefined) return environment;
  const cel = new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: true,
    enableOptionalTypes: false,
    limits: { maxAstNodes: limits.maxAstNodes, maxDepth: limits.maxDepth, maxListElements: 64, maxMapEntries: 64, maxCallArguments: 32 },
  });
  cel.registerType("Feedback", {
    ctor: FeedbackValue,
    fields: { correct: "bool", has_label: "bool", reward: "double", has_reward: "bool" },
  });
  cel.registerVariable("feedback", "Feedback");
  cel.registerVariable("latency_ms", "double");
  cel.registerVariable("cost", "double");
  environment = cel;
  return cel;
}

/**
 * Compiles a bandit's `reward`: empty is the default reward; else a CEL expression of type double over
 * `feedback` (`correct`, `has_label`, `reward`, `has_reward`), `latency_ms` and `cost`, for example
 * `(feedback.correct ? 1.0 : 0.0) - latency_ms / 1000.0`, within the cost budget of one expression. Its value is
 * clamped to [0, 1]; when it fails at run time, the default reward. Problems are reported on `field`; returns
 * undefined when there is one.
 */
export function compileReward(source: string, field: string, limits: PolicyLimits, report: CompileReport): CompiledReward | undefined {
  if (source === "") return DEFAULT_REWARD;
  if (source.length > limits.maxExpressionLength) {
    report.violation(field, `is ${source.length} characters long; an expression may have at most ${limits.maxExpressionLength}`);
    return undefined;
  }
  let parsed: ParseResult;
  try {
    parsed = rewardEnvironment(limits).parse(source);
    const checked = parsed.check();
    if (!checked.valid) throw checked.error ?? new Error("the expression does not type-check");
    if (checked.type !== "double") {
      report.violation(
        field,
        `has type ${checked.type}, but a reward must be a double: for example ` +
          "`(feedback.correct ? 1.0 : 0.0) - latency_ms / 1000.0` or `feedback.has_reward ? feedback.reward : 0.0`",
      );
      return undefined;
    }
  } catch (error) {
    const cel = error as Error & { summary?: string; range?: { start: number } };
    const at = cel.range?.start;
    const message = `${cel.summary ?? cel.message}: a reward reads \`feedback\` (correct, has_label, reward, has_reward), \`latency_ms\` and \`cost\``;
    if (at === undefined) report.violation(field, message);
    else report.violation(field, message, positionAt(source, at));
    return undefined;
  }
  const estimate = estimateCost(parsed.ast);
  if (estimate.problems.length > 0 || estimate.cost > limits.maxExpressionCost) {
    report.violation(
      field,
      estimate.problems.length > 0
        ? `uses what a reward cannot: ${estimate.problems.map((p) => p.description).join("; ")}`
        : `is estimated to cost up to ${Math.ceil(estimate.cost)} units per evaluation, over the budget of ${limits.maxExpressionCost}: simplify it`,
    );
    return undefined;
  }
  return {
    source,
    reward(input) {
      try {
        const value: unknown = parsed({ feedback: new FeedbackValue(input.feedback), latency_ms: input.latencyMs, cost: input.cost });
        return typeof value === "number" ? clampReward(value) : defaultReward(input);
      } catch {
        return defaultReward(input);
      }
    },
  };
}
