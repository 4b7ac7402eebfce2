import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { ListDecisionsRequest } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import type { DecisionFilter, DecisionKey } from "../store/decision-query.js";
import type { PageRequest } from "../store/page.js";
import { MAX_DECISION_TEXT_LENGTH } from "./decision-requests.js";
import { checkName, checkOptionalName } from "./names.js";
import { checkPageToken, pageSizeOf, pageTokenCodec, type PageTokenCodec } from "./page-token.js";

/** The largest google.rpc.Code (UNAUTHENTICATED). */
const MAX_GRPC_CODE = 16;
/** The range of a protobuf Timestamp, in seconds. */
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n;

/** A ListDecisions request, checked: its filter, its page, and the page tokens of its listing. */
export interface ListDecisionsInput {
  readonly filter: DecisionFilter;
  readonly page: PageRequest<DecisionKey>;
  readonly tokens: PageTokenCodec<DecisionKey>;
}

/**
 * The filter and page of a ListDecisions request: empty strings and a zero `policy_revision` filter nothing;
 * the time range must not end before it starts.
 *
 * @throws DomainError INVALID_FIELD listing every problem (a bad time, range, name, code or page token).
 */
export function parseListDecisions(request: ListDecisionsRequest): ListDecisionsInput {
  const v = new Violations();
  const startTime = timeOf(v, "start_time", request.startTime);
  const endTime = timeOf(v, "end_time", request.endTime);
  if (startTime !== undefined && endTime !== undefined && endTime <= startTime) {
    v.add(
      "end_time",
      `(${endTime.toISOString()}) is not after start_time (${startTime.toISOString()}): give a range that ends after it starts`,
    );
  }
  checkOptionalName(v, "model", request.model, "digits-general", "model");
  checkOptionalName(v, "policy", request.policy, "digits-routing", "policy");
  if (request.rule !== "") checkName(v, "rule", request.rule, "images", "rule");
  if (request.policyRevision < 0n) {
    v.add("policy_revision", `is ${request.policyRevision}: give a policy revision (see ListPolicyRevisions), or 0 for any`);
  }
  if (request.tenant.length > MAX_DECISION_TEXT_LENGTH) {
    v.add("tenant", `has ${request.tenant.length} characters; a tenant has at most ${MAX_DECISION_TEXT_LENGTH}`);
  }
  if (request.code !== undefined && (!Number.isInteger(request.code) || request.code < 0 || request.code > MAX_GRPC_CODE)) {
    v.add("code", `is ${request.code}: give a google.rpc.Code, 0 (OK) to ${MAX_GRPC_CODE}`);
  }
  checkPageToken(v, request.pageToken);
  v.throwIfAny("invalid ListDecisions request");
  const filter: DecisionFilter = {
    ...(startTime === undefined ? {} : { startTime }),
    ...(endTime === undefined ? {} : { endTime }),
    ...(request.model === "" ? {} : { model: request.model }),
    ...(request.policy === "" ? {} : { policy: request.policy }),
    ...(request.rule === "" ? {} : { rule: request.rule }),
    ...(request.policyRevision === 0n ? {} : { policyRevision: request.policyRevision }),
    ...(request.tenant === "" ? {} : { tenant: request.tenant }),
    ...(request.code === undefined ? {} : { code: request.code }),
    ...(request.fallbackUsed === undefined ? {} : { fallbackUsed: request.fallbackUsed }),
  };
  const size = pageSizeOf(request.pageSize);
  const tokens = pageTokenCodec({ listing: "decisions", filter }, isDecisionKey);
  const after = tokens.decode(request.pageToken);
  return { filter, page: after === undefined ? { size } : { size, after }, tokens };
}

function timeOf(v: Violations, field: string, time: Timestamp | undefined): Date | undefined {
  if (time === undefined) return undefined;
  if (time.seconds < MIN_TIMESTAMP_SECONDS || time.seconds > MAX_TIMESTAMP_SECONDS || time.nanos < 0 || time.nanos > 999_999_999) {
    v.add(field, "is not a valid timestamp: seconds from year 1 to 9999, nanos from 0 to 999,999,999");
    return undefined;
  }
  return timestampDate(time);
}

function isDecisionKey(value: unknown): value is DecisionKey {
  if (typeof value !== "object" || value === null) return false;
  const { time, requestId } = value as { time?: unknown; requestId?: unknown };
  return typeof time === "string" && !Number.isNaN(Date.parse(time)) && typeof requestId === "string" && requestId.length <= 128;
}
