import { Environment } from "@marcbachmann/cel-js";
import { candidateCelTypes } from "./candidate-values.js";
import { type CelTypeDeclaration, celTypes, celVariables } from "./cel-values.js";
import { POLICY_LIMITS, type PolicyLimits } from "./limits.js";

/**
 * The policy language: a cel-js environment declaring `input`, `request` and `now` with their types, and the
 * limits expressions are compiled under, and the constraint language of routes (`candidate`). Creating one
 * costs about 0.2 ms; compile many policies with one.
 */
export interface PolicyEnvironment {
  /** The cel-js environment. Expressions compiled with it evaluate against an activation of its types. */
  readonly cel: Environment;
  /** The constraint language of a route's `constraints`: the one variable `candidate`. */
  readonly constraints: Environment;
  readonly limits: PolicyLimits;
}

function celEnvironment(limits: PolicyLimits, types: readonly CelTypeDeclaration[], variables: Record<string, string>): Environment {
  const cel = new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: true,
    enableOptionalTypes: false,
    limits: {
      maxAstNodes: limits.maxAstNodes,
      maxDepth: limits.maxDepth,
      maxListElements: limits.maxAstNodes,
      maxMapEntries: limits.maxAstNodes,
      maxCallArguments: 32,
    },
  });
  for (const type of types) cel.registerType(type.name, { ctor: type.ctor, fields: { ...type.fields } });
  for (const [name, type] of Object.entries(variables)) cel.registerVariable(name, type);
  return cel;
}

/** Creates the policy language's environment (see the package README for the language). */
export function createPolicyEnvironment(limits: PolicyLimits = POLICY_LIMITS): PolicyEnvironment {
  return {
    cel: celEnvironment(limits, celTypes(), { ...celVariables() }),
    constraints: celEnvironment(limits, candidateCelTypes(), { candidate: "Candidate" }),
    limits,
  };
}
