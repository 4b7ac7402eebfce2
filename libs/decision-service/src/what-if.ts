import { clone } from "@bufbuild/protobuf";
import { type Policy, type PolicyOverride, type PolicyRevisionRef, PolicySchema, type RegistryService } from "@modelrouter/contracts";
import { DomainError, ErrorReason, Violations, invalidField, invalidFields, isDomainError } from "@modelrouter/errors";
import { type CompiledPolicy, POLICY_LIMITS, type PolicyEnvironment, type PolicyViolation, compilePolicy } from "@modelrouter/policy";
import { type CallContext, Code, type ServiceClient, isRpcError } from "@modelrouter/rpc-kit";
import type { CatalogueSnapshot } from "./catalogue-snapshot.js";

/** A policy standing in for the applied policy of its name in one evaluation (a what-if), and what it is. */
export interface WhatIfPolicy {
  readonly policy: CompiledPolicy;
  /** For people: `draft of policy "digits"` or `revision 42 of policy "digits"`. */
  readonly label: string;
}

/** Where a what-if policy comes from: the language to compile a body with, and the registry for revisions. */
export interface WhatIfSources {
  readonly environment: PolicyEnvironment;
  /** Reads stored revisions (`GetPolicy`). Absent: only unsaved bodies can be explained. */
  readonly registry?: ServiceClient<typeof RegistryService> | undefined;
}

/**
 * The policy a DecideRequest's `what_if` stands in, compiled against the snapshot's catalogue as ApplyPolicy
 * compiles it; undefined without `what_if`. An unsaved body (`what_if.policy`) reports revision 0; a stored
 * revision (`what_if.revision`) is read from the registry within the call's deadline and reports that revision;
 * one of a tenant other than the request's `tenant` is not found.
 *
 * @throws DomainError INVALID_FIELD with every problem of a body at its path under `what_if.policy.` (and
 *   `what_if.policy` when all policies with it would exceed their cost budget, which ApplyPolicy refuses too),
 *   or naming `what_if.revision` when the reference is malformed or the stored body no longer compiles;
 *   POLICY_NOT_FOUND naming the policy and revision when the registry keeps no such revision.
 */
export async function resolveWhatIf(
  whatIf: PolicyOverride | undefined,
  snapshot: CatalogueSnapshot,
  sources: WhatIfSources,
  ctx: CallContext,
  tenant = "",
): Promise<WhatIfPolicy | undefined> {
  if (whatIf === undefined) return undefined;
  switch (whatIf.kind.case) {
    case "policy":
      return draftPolicy(whatIf.kind.value, snapshot, sources.environment);
    case "revision":
      return storedRevision(whatIf.kind.value, snapshot, sources, ctx, tenant);
    default:
      throw invalidField(
        "what_if",
        "is empty: set what_if.policy (an unsaved policy body) or what_if.revision (a policy's name and a revision " +
          "listed by ListPolicyRevisions), or omit what_if to explain the applied policies",
      );
  }
}

function draftPolicy(body: Policy, snapshot: CatalogueSnapshot, environment: PolicyEnvironment): WhatIfPolicy {
  const draft = clone(PolicySchema, body);
  draft.revision = 0n;
  draft.createTime = undefined;
  draft.updateTime = undefined;
  const compiled = compilePolicy(draft, { catalogue: snapshot.catalogue, environment });
  if (compiled.kind === "invalid") {
    const subject = draft.name === "" ? "the what-if policy" : `the what-if policy "${draft.name}"`;
    const violations = new Violations().addAll("what_if.policy", compiled.violations.map(located)).items;
    throw invalidFields(`${subject} does not compile`, violations);
  }
  checkBudget(compiled.policy, snapshot.policies);
  return { policy: compiled.policy, label: `draft of policy "${draft.name}"` };
}

async function storedRevision(
  ref: PolicyRevisionRef,
  snapshot: CatalogueSnapshot,
  sources: WhatIfSources,
  ctx: CallContext,
  tenant: string,
): Promise<WhatIfPolicy> {
  const v = new Violations();
  if (ref.name === "") v.add("what_if.revision.name", 'is required: the name of the policy whose revision to explain, for example "digits"');
  if (ref.revision <= 0n) {
    v.add("what_if.revision.revision", `is ${ref.revision}: give a revision listed by ListPolicyRevisions (modelrouter policies history NAME)`);
  }
  v.throwIfAny("the what-if revision is invalid");
  if (sources.registry === undefined) {
    throw invalidField("what_if.revision", "cannot be read: this decision engine has no registry; pass the revision's body as what_if.policy");
  }
  let body: Policy | undefined;
  try {
    ({ policy: body } = await sources.registry.getPolicy({ name: ref.name, revision: ref.revision }, { parent: ctx }));
  } catch (error) {
    throw isNotFound(error) ? revisionNotFound(ref, error) : error;
  }
  // Another tenant's policy is not found for this request's tenant, as the registry hides it from that tenant.
  if (body === undefined || (body.tenant !== "" && body.tenant !== tenant)) throw revisionNotFound(ref, undefined);
  const stored = clone(PolicySchema, body);
  stored.revision = ref.revision;
  const label = `revision ${ref.revision} of policy "${ref.name}"`;
  const compiled = compilePolicy(stored, { catalogue: snapshot.catalogue, environment: sources.environment });
  if (compiled.kind === "invalid") {
    const problems = compiled.violations.map((p) => `${p.field === "" ? "policy" : p.field}: ${p.description}`).join("; ");
    throw invalidField("what_if.revision", `${label} no longer compiles (${problems}): explain a later revision, or fix it as a draft in what_if.policy`);
  }
  return { policy: compiled.policy, label };
}

/** A compiler violation as a field violation: its CEL position, when it has one, starts the description. */
function located(violation: PolicyViolation): { field: string; description: string } {
  const at = violation.position;
  return {
    field: violation.field,
    description: at === undefined ? violation.description : `line ${at.line}, column ${at.column}: ${violation.description}`,
  };
}

/** ApplyPolicy's budget: the policy with every other applied policy may cost at most `maxTotalCost` per request. */
function checkBudget(policy: CompiledPolicy, applied: readonly CompiledPolicy[]): void {
  const others = applied.filter((p) => p.name !== policy.name);
  const total = others.reduce((sum, p) => sum + p.cost, policy.cost);
  const limit = POLICY_LIMITS.maxTotalCost;
  if (total <= limit) return;
  throw invalidField(
    "what_if.policy",
    `is estimated to cost ${policy.cost} units per request, which brings all ${others.length + 1} policies to ${total}, ` +
      `over the budget of ${limit} for all policies together (ApplyPolicy would refuse it): simplify its conditions`,
  );
}

function isNotFound(error: unknown): boolean {
  return (isRpcError(error) && error.code === Code.NOT_FOUND) || (isDomainError(error) && error.reason === ErrorReason.POLICY_NOT_FOUND);
}

function revisionNotFound(ref: PolicyRevisionRef, cause: unknown): DomainError {
  return new DomainError(
    ErrorReason.POLICY_NOT_FOUND,
    `what_if.revision: policy "${ref.name}" has no revision ${ref.revision} in the registry: list its kept revisions with ` +
      `ListPolicyRevisions (modelrouter policies history ${ref.name}); the oldest are pruned`,
    { metadata: { field: "what_if.revision", policy: ref.name, revision: ref.revision.toString() }, cause },
  );
}
