import type { Policy } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import { POLICY_LIMITS, compilePolicy, createPolicyEnvironment } from "@modelrouter/policy";
import type { AuditActor } from "../store/audit-log.js";
import type { RegistryStore } from "../store/registry-store.js";
import { checkName } from "../validation/names.js";
import { catalogueScope } from "./catalogue-scope.js";
import { checkPolicyBudget, storedPolicyCosts } from "./policy-budget.js";
import { policyInvalid } from "./policy-invalid.js";

/** What ApplyPolicy was asked to do, after the request's shape was checked. */
export interface ApplyPolicyInput {
  readonly policy: Policy;
  readonly expectedRevision: bigint | undefined;
  readonly validateOnly: boolean;
  /** Who applies it, kept with the revision: the caller's identity, or "". */
  readonly appliedBy?: string;
  /** Who applies it, for the audit log (default: anonymous). */
  readonly actor?: AuditActor;
  /** Sees the policy it would replace, and throws to refuse (a confined caller replaces only its tenant's). */
  readonly mayReplace?: (existing: Policy) => void;
}

/** The outcome of {@link applyPolicy}. */
export interface ApplyPolicyOutcome {
  readonly policy: Policy;
  readonly created: boolean;
  readonly warnings: readonly string[];
}

/**
 * Compiles a policy against the registered models its targets can resolve to (shared ones and those of the
 * policy's tenant: no other is ever its candidate) and, when it compiles and the
 * estimated cost of all policies with it stays within `POLICY_LIMITS.maxTotalCost`, creates or replaces it
 * (or, with `validateOnly`, reports what would happen). A policy that does not compile is never stored. The
 * warnings are the compiler's, which include targets naming models that are not registered (a policy may
 * name a model before it is registered, so that is not an error).
 *
 * @throws DomainError POLICY_INVALID when it does not compile; QUOTA_EXCEEDED when the policies together
 *   would cost more than their budget per request; REVISION_CONFLICT when `expectedRevision` does not match.
 */
export async function applyPolicy(store: RegistryStore, input: ApplyPolicyInput): Promise<ApplyPolicyOutcome> {
  const environment = createPolicyEnvironment();
  const scope = catalogueScope(input.policy);
  const tenant = input.policy.tenant;
  const catalogue = (await store.catalogueModels(scope.names, scope.selectable)).filter((model) => model.tenant === "" || model.tenant === tenant);
  const compiled = compilePolicy(input.policy, { catalogue, environment });
  if (compiled.kind === "invalid") throw policyInvalid(input.policy, compiled.violations);
  const v = new Violations();
  checkName(v, "policy.name", input.policy.name, "digits-routing");
  v.throwIfAny("the policy cannot be stored");
  const others = await storedPolicyCosts(store, input.policy.name, environment);
  checkPolicyBudget(compiled.policy, others, POLICY_LIMITS.maxTotalCost);
  const result = await store.putPolicy(input.policy, {
    validateOnly: input.validateOnly,
    appliedBy: input.appliedBy ?? "",
    ...(input.actor === undefined ? {} : { actor: input.actor }),
    ...(input.mayReplace === undefined ? {} : { mayReplace: input.mayReplace }),
    ...(input.expectedRevision === undefined ? {} : { expectedRevision: input.expectedRevision }),
  });
  return { ...result, warnings: compiled.warnings.map((warning) => `policy.${warning}`) };
}
