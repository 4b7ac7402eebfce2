import { clone, create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ExperimentArmSchema,
  ExperimentOutcomeSchema,
  ExperimentVerdict,
  PolicySchema,
  Strategy,
  TargetSchema,
  type ExperimentArm,
  type ExperimentOutcome,
  type Policy,
  type Route,
  type Target,
} from "@modelrouter/contracts";
import type { ExperimentArmFigures } from "@modelrouter/policy";
import type { ArmModel } from "./experiment-arms.js";

/** A verdict to write: which challenger, and the evidence. */
export interface ExperimentConclusion {
  readonly verdict: "promote" | "rollback";
  /** The challenger's index in the route's targets (1 or more). */
  readonly challenger: number;
  readonly reason: string;
  readonly pValue: number;
  readonly effect: number;
  readonly arms: readonly ExperimentArmFigures[];
  readonly models: readonly ArmModel[];
  readonly time: Date;
}

/** The evidence arms of an outcome: each arm's model and figures, the control first. */
export function outcomeArms(models: readonly ArmModel[], arms: readonly ExperimentArmFigures[]): ExperimentArm[] {
  return arms.map((arm, index) =>
    create(ExperimentArmSchema, {
      model: models[index] ?? { name: "", version: "" },
      samples: BigInt(arm.samples),
      mean: arm.mean,
      variance: arm.variance,
      requests: BigInt(arm.requests),
      errors: BigInt(arm.errors),
    }),
  );
}

function withoutWeight(target: Target): Target {
  const copy = clone(TargetSchema, target);
  copy.weight = 0;
  return copy;
}

function concludeRoute(route: Route, conclusion: ExperimentConclusion, outcome: ExperimentOutcome): void {
  const targets = route.targets.map(withoutWeight);
  const challenger = targets[conclusion.challenger]!;
  if (conclusion.verdict === "promote") {
    const control = targets[0]!;
    route.targets = [challenger];
    route.fallbacks = [control, ...route.fallbacks];
    route.strategy = Strategy.FIRST;
  } else {
    const remaining = route.targets.filter((_, index) => index !== conclusion.challenger);
    route.targets = remaining.length === 1 ? remaining.map(withoutWeight) : remaining;
    if (remaining.length === 1) route.strategy = Strategy.FIRST;
  }
  if (route.strategy === Strategy.FIRST) route.stickyKey = "";
  route.experiment!.outcome = outcome;
}

/**
 * The next body of a policy whose experiment (on rule `ruleIndex`, -1 for the default route, of `policy` at
 * its stored revision) reached a verdict. Promoted: the challenger becomes the route's only target
 * (STRATEGY_FIRST) and the control its first fallback, before the old fallbacks. Rolled back: the challenger
 * leaves the targets (STRATEGY_FIRST when one remains). Either way the route's experiment keeps its settings
 * and gains the outcome, the evidence.
 */
export function concludeExperiment(policy: Policy, ruleIndex: number, conclusion: ExperimentConclusion): Policy {
  const next = clone(PolicySchema, policy);
  const route = ruleIndex < 0 ? next.defaultRoute : next.rules[ruleIndex]?.route;
  if (route?.experiment === undefined) throw new Error(`policy "${policy.name}" has no experiment at rule ${ruleIndex}`);
  const outcome = create(ExperimentOutcomeSchema, {
    verdict: conclusion.verdict === "promote" ? ExperimentVerdict.PROMOTED : ExperimentVerdict.ROLLED_BACK,
    challenger: conclusion.models[conclusion.challenger] ?? { name: "", version: "" },
    reason: conclusion.reason,
    time: timestampFromDate(conclusion.time),
    fromRevision: policy.revision,
    pValue: conclusion.pValue,
    effect: conclusion.effect,
    arms: outcomeArms(conclusion.models, conclusion.arms),
  });
  concludeRoute(route, conclusion, outcome);
  next.revision = 0n;
  next.createTime = undefined;
  next.updateTime = undefined;
  return next;
}
