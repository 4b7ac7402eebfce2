import type {
  ApplyPolicyRequest,
  DeletePolicyRequest,
  GetPolicyRequest,
  ListPoliciesRequest,
  ListPolicyRevisionsRequest,
  Policy,
} from "@modelrouter/contracts";
import { Violations, invalidField } from "@modelrouter/errors";
import type { PageRequest } from "../store/page.js";
import { checkExpectedRevision } from "./model-requests.js";
import { checkName } from "./names.js";
import { checkPolicyBounds } from "./policy-bounds.js";
import { checkResourceTenant } from "./tenant-field.js";
import { checkPageToken, pageSizeOf, pageTokenCodec, type PageTokenCodec } from "./page-token.js";

/**
 * The shape checks of an ApplyPolicy request that come before compiling the policy, among them the bounds
 * of {@link checkPolicyBounds} (size, description, selectors), so that nothing huge reaches the compiler.
 *
 * @throws DomainError INVALID_FIELD listing every problem.
 */
export function parseApplyPolicy(request: ApplyPolicyRequest): {
  policy: Policy;
  expectedRevision: bigint | undefined;
  validateOnly: boolean;
} {
  const v = new Violations();
  if (request.policy === undefined) v.add("policy", "is required: the policy to create or replace");
  else {
    checkPolicyBounds(v, "policy", request.policy);
    checkResourceTenant(v, "policy.tenant", request.policy.tenant);
  }
  checkExpectedRevision(v, "expected_revision", request.expectedRevision);
  v.throwIfAny("the policy cannot be applied");
  return { policy: request.policy as Policy, expectedRevision: request.expectedRevision, validateOnly: request.validateOnly };
}

/** The policy name of a DeletePolicy request. */
export function parsePolicyName(request: DeletePolicyRequest): string {
  const v = new Violations();
  checkName(v, "name", request.name, "digits-routing", "policy");
  if ("expectedRevision" in request) checkExpectedRevision(v, "expected_revision", request.expectedRevision);
  v.throwIfAny("invalid request");
  return request.name;
}

/** The name and revision (undefined for the current policy) of a GetPolicy request. */
export function parseGetPolicy(request: GetPolicyRequest): { name: string; revision: bigint | undefined } {
  const v = new Violations();
  checkName(v, "name", request.name, "digits-routing", "policy");
  if (request.revision < 0n) {
    v.add("revision", `is ${request.revision}: give a revision listed by ListPolicyRevisions, or 0 for the current policy`);
  }
  v.throwIfAny("invalid GetPolicy request");
  return { name: request.name, revision: request.revision === 0n ? undefined : request.revision };
}

/** The policy name and page of a ListPolicyRevisions request. */
export function parseListPolicyRevisions(request: ListPolicyRevisionsRequest): {
  name: string;
  page: PageRequest<string>;
  tokens: PageTokenCodec<string>;
} {
  const v = new Violations();
  checkName(v, "name", request.name, "digits-routing", "policy");
  checkPageToken(v, request.pageToken);
  v.throwIfAny("invalid ListPolicyRevisions request");
  const size = pageSizeOf(request.pageSize);
  const tokens = pageTokenCodec({ listing: "policy-revisions", name: request.name }, (value): value is string =>
    typeof value === "string" && /^[1-9][0-9]{0,18}$/.test(value),
  );
  const after = tokens.decode(request.pageToken);
  return { name: request.name, page: after === undefined ? { size } : { size, after }, tokens };
}

/** The page of a ListPolicies request. */
export function parseListPolicies(request: ListPoliciesRequest): { page: PageRequest<string>; tokens: PageTokenCodec<string> } {
  const v = new Violations();
  checkPageToken(v, request.pageToken);
  v.throwIfAny("invalid ListPolicies request");
  const size = pageSizeOf(request.pageSize);
  const tokens = pageTokenCodec({ listing: "policies" }, (value): value is string => typeof value === "string");
  const after = tokens.decode(request.pageToken);
  return { page: after === undefined ? { size } : { size, after }, tokens };
}

/** The `since_revision` of a watch request. */
export function parseSinceRevision(since: bigint): bigint {
  if (since < 0n) throw invalidField("since_revision", `is ${since}: give 0 for the whole state, or the last revision you received`);
  return since;
}
