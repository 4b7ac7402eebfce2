import type { Policy } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import { compilePolicy } from "@modelrouter/policy";
import type { RegistryStore } from "../store/registry-store.js";
import { checkName } from "../validation/names.js";
import { catalogueScope } from "./catalogue-scope.js";
import { policyInvalid } from "./policy-invalid.js";

/** What ApplyPolicy was asked to do, after the request's shape was checked. */
export interface ApplyPolicyInput {
  readonly policy: Policy;
  readonly expectedRevision: bigint | undefined;
  readonly validateOnly: boolean;
}

/** The outcome of {@link applyPolicy}. */
export interface ApplyPolicyOutcome {
  readonly policy: Policy;
  readonly created: boolean;
  readonly warnings: readonly string[];
}

/**
 * Compiles a policy against the registered models its targets can resolve to and, when it compiles, creates
 * or replaces it (or, with `validateOnly`, reports what would happen). A policy that does not compile is
 * never stored. The warnings are the compiler's, which include targets naming models that are not
 * registered (a policy may name a model before it is registered, so that is not an error).
 *
 * @throws DomainError POLICY_INVALID when it does not compile; REVISION_CONFLICT when `expectedRevision`
 *   does not match.
 */
export async function applyPolicy(store: RegistryStore, input: ApplyPolicyInput): Promise<ApplyPolicyOutcome> {
  const scope = catalogueScope(input.policy);
  const catalogue = await store.catalogueModels(scope.names, scope.selectable);
  const compiled = compilePolicy(input.policy, { catalogue });
  if (compiled.kind === "invalid") throw policyInvalid(input.policy, compiled.violations);
  const v = new Violations();
  checkName(v, "policy.name", input.policy.name, "digits-routing");
  v.throwIfAny("the policy cannot be stored");
  const result = await store.putPolicy(input.policy, {
    validateOnly: input.validateOnly,
    ...(input.expectedRevision === undefined ? {} : { expectedRevision: input.expectedRevision }),
  });
  return { ...result, warnings: compiled.warnings.map((warning) => `policy.${warning}`) };
}
