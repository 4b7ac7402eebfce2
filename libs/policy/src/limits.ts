/**
 * The bounds every policy must stay within. They keep compilation and evaluation cheap and predictable: a
 * policy that exceeds one is rejected when it is applied, never at request time.
 */
export interface PolicyLimits {
  /** Characters in one CEL expression (`when`). */
  readonly maxExpressionLength: number;
  /** Nodes of one expression's syntax tree (cel-js `maxAstNodes`). */
  readonly maxAstNodes: number;
  /** Nesting depth of calls, selections, indexes and literals in one expression (cel-js `maxDepth`). */
  readonly maxDepth: number;
  /** Rules in one policy. */
  readonly maxRules: number;
  /** Targets and fallbacks of one route, counted together. */
  readonly maxRouteTargets: number;
  /** Characters of one `matches()` pattern. */
  readonly maxPatternLength: number;
  /**
   * Estimated cost of one evaluation of one expression, in cost units (see `CompiledCondition.cost`):
   * what one `when` may cost at most.
   */
  readonly maxExpressionCost: number;
  /**
   * Estimated cost of evaluating one policy for one request: its `when` and every rule's `when`, as when no
   * rule matches (see `CompiledPolicy.cost`).
   */
  readonly maxPolicyCost: number;
  /**
   * Estimated cost of evaluating every stored policy for one request, as when none decides: enforced by the
   * registry when a policy is applied, since the decision engine may evaluate them all.
   */
  readonly maxTotalCost: number;
}

/** The limits applied by {@link compilePolicy}. */
export const POLICY_LIMITS: PolicyLimits = Object.freeze({
  maxExpressionLength: 4096,
  maxAstNodes: 1000,
  maxDepth: 32,
  maxRules: 256,
  maxRouteTargets: 64,
  maxPatternLength: 256,
  maxExpressionCost: 35_000,
  maxPolicyCost: 40_000,
  maxTotalCost: 200_000,
});
