import type {
  CandidateEvaluation,
  Explanation,
  ModelRef,
  PolicyEvaluation,
  ResolvedTarget,
  RuleEvaluation,
} from "@modelrouter/contracts";
import type { CandidateOutcome, EligibleCandidate, RouteChoice } from "./route-choice.js";

/*
 * The decision's messages as literals: protobuf-es messages are plain objects with `$typeName`, and the
 * generated types make the compiler check every field. `create()` walks the schema for each message, and a
 * decision builds dozens, which cost most of the evaluator's time.
 */

/** A ModelRef message. */
export function modelRef(name: string, version: string): ModelRef {
  return { $typeName: "modelrouter.type.v1.ModelRef", name, version };
}

/** The ResolvedTarget message of a candidate that serves: its model version and its backend. */
export function resolvedTarget(candidate: EligibleCandidate): ResolvedTarget {
  const backend = candidate.model.backend;
  const model = modelRef(candidate.name, candidate.version);
  return backend === undefined
    ? { $typeName: "modelrouter.decision.v1.ResolvedTarget", model }
    : { $typeName: "modelrouter.decision.v1.ResolvedTarget", model, backend };
}

/** A RuleEvaluation message. */
export function ruleEvaluation(rule: string, matched: boolean, error: string): RuleEvaluation {
  return { $typeName: "modelrouter.decision.v1.RuleEvaluation", rule, matched, error };
}

/** A PolicyEvaluation message. */
export function policyEvaluation(
  policy: string,
  fields: { applies: boolean; rules?: RuleEvaluation[]; decided?: boolean; note?: string },
): PolicyEvaluation {
  return {
    $typeName: "modelrouter.decision.v1.PolicyEvaluation",
    policy,
    applies: fields.applies,
    rules: fields.rules ?? [],
    decided: fields.decided ?? false,
    note: fields.note ?? "",
  };
}

function candidateEvaluation(outcome: CandidateOutcome, metric: string): CandidateEvaluation {
  const { candidate, role, reason, score, failedConstraint } = outcome;
  const measures = outcome.metric ?? metric;
  const message: CandidateEvaluation = {
    $typeName: "modelrouter.decision.v1.CandidateEvaluation",
    model: modelRef(candidate.name, candidate.version),
    role,
    reason,
    metric: score === undefined ? "" : measures,
    failedConstraint: failedConstraint ?? "",
  };
  if (score !== undefined) message.score = score;
  return message;
}

/**
 * The Explanation message: the policies evaluated, every candidate of the deciding route with its role,
 * reason, score (and what the score measures) and failed constraint, the summary and the split key.
 */
export function explanationMessage(policies: PolicyEvaluation[], choice: RouteChoice | undefined, summary: string): Explanation {
  const metric = choice?.metric ?? "";
  return {
    $typeName: "modelrouter.decision.v1.Explanation",
    policies,
    candidates: (choice?.outcomes ?? []).map((outcome) => candidateEvaluation(outcome, metric)),
    summary,
    splitKey: choice?.splitKey ?? "",
  };
}
