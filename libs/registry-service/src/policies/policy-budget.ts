import { DomainError, ErrorReason } from "@modelrouter/errors";
import { type CompiledPolicy, type PolicyEnvironment, compilePolicy } from "@modelrouter/policy";
import type { RegistryStore } from "../store/registry-store.js";

/** The estimated cost of one stored policy per request (see `CompiledPolicy.cost`). */
export interface PolicyCost {
  readonly name: string;
  readonly cost: number;
}

const PAGE_SIZE = 200;

/**
 * The estimated cost of every stored policy except `replaced` (the one being applied), read in one pass
 * over the stored policies. A stored policy that no longer compiles costs nothing: the decision engine
 * skips it.
 */
export async function storedPolicyCosts(
  store: RegistryStore,
  replaced: string,
  environment: PolicyEnvironment,
): Promise<PolicyCost[]> {
  const costs: PolicyCost[] = [];
  let after: string | undefined;
  do {
    const page = await store.listPolicies(after === undefined ? { size: PAGE_SIZE } : { size: PAGE_SIZE, after });
    for (const stored of page.items) {
      if (stored.name === replaced) continue;
      const compiled = compilePolicy(stored, { environment });
      if (compiled.kind === "compiled") costs.push({ name: stored.name, cost: compiled.policy.cost });
    }
    after = page.nextAfter;
  } while (after !== undefined);
  return costs;
}

const units = (n: number): string => n.toLocaleString("en-US");

/**
 * Refuses `policy` when, with the `others` stored, the estimated cost of evaluating every policy for one
 * request (as when none decides) would exceed `limit`: the decision engine may evaluate them all.
 *
 * @throws DomainError QUOTA_EXCEEDED naming the policy, its cost, the total, the limit and the costliest
 *   stored policies; metadata has `policy`, `cost`, `total` and `limit`.
 */
export function checkPolicyBudget(policy: CompiledPolicy, others: readonly PolicyCost[], limit: number): void {
  const total = others.reduce((sum, other) => sum + other.cost, policy.cost);
  if (total <= limit) return;
  const costliest = [...others]
    .sort((a, b) => b.cost - a.cost || (a.name < b.name ? -1 : 1))
    .slice(0, 3)
    .map((other) => `"${other.name}" (${units(other.cost)})`);
  const stored = costliest.length === 0 ? "" : `; the costliest stored policies are ${costliest.join(", ")}`;
  throw new DomainError(
    ErrorReason.QUOTA_EXCEEDED,
    `policy "${policy.name}" is estimated to cost ${units(policy.cost)} units per request, which would bring ` +
      `all ${others.length + 1} policies to ${units(total)} units, over the budget of ${units(limit)} for all ` +
      `policies together (the decision engine may evaluate every policy for one request)${stored}. Simplify ` +
      "its conditions or those of other policies, or delete policies that are no longer used",
    {
      metadata: {
        policy: policy.name,
        cost: String(policy.cost),
        total: String(total),
        limit: String(limit),
      },
    },
  );
}
