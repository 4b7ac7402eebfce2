import { timestampMs } from "@bufbuild/protobuf/wkt";
import {
  Modality,
  type DecisionRecord,
  type GetDecisionRequest,
  type RecordDecisionRequest,
  type RecordFeedbackRequest,
} from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import type { FeedbackValue } from "../store/decision-store.js";
import { quoted, resourceNameProblem } from "@modelrouter/syntax";
import { checkShadowResults } from "./decision-shadows.js";
import { checkName, checkVersion } from "./names.js";

/** A request id: 1 to 128 letters, digits, '.', '_', ':' and '-' (the router's rule). */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** The longest `top_label`, `tenant` and feedback `label`, in characters. */
export const MAX_DECISION_TEXT_LENGTH = 256;
/** The most model versions a record may list in `attempted`. */
export const MAX_ATTEMPTED = 32;
/**
 * How far a record's `time` may be ahead of the registry's clock, in ms. A record from further ahead would
 * outlive the retention period; its router's clock is wrong.
 */
export const MAX_DECISION_CLOCK_SKEW_MS = 60 * 60 * 1000;

/** The largest gRPC status code (UNAUTHENTICATED). */
const MAX_GRPC_CODE = 16;
/** The range of a protobuf Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, in seconds. */
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n;
const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * The decision to record, checked completely (every problem at once, at `decision.…` paths), with its
 * output-only `feedback` cleared (feedback arrives through RecordFeedback).
 *
 * @param now The registry's clock, which `time` may not be far ahead of.
 * @throws DomainError INVALID_FIELD listing every problem.
 */
export function parseRecordDecision(request: RecordDecisionRequest, now: Date): DecisionRecord {
  const v = new Violations();
  const record = request.decision;
  if (record === undefined) v.add("decision", "is required: the decision log entry of an answered request");
  else checkDecision(v, record, now);
  v.throwIfAny("the decision cannot be recorded");
  // A shallow copy: the record's parts are not changed after this, and a deep clone per decision is measurable.
  return { ...(record as DecisionRecord), feedback: undefined };
}

/** The request id of a GetDecision request. */
export function parseGetDecision(request: GetDecisionRequest): string {
  const v = new Violations();
  checkRequestId(v, "request_id", request.requestId);
  v.throwIfAny("invalid GetDecision request");
  return request.requestId;
}

/**
 * The request id and feedback of a RecordFeedback request: exactly one of a non-empty label or a finite
 * reward.
 */
export function parseRecordFeedback(request: RecordFeedbackRequest): { requestId: string; value: FeedbackValue } {
  const v = new Violations();
  checkRequestId(v, "request_id", request.requestId);
  const value = request.value;
  switch (value.case) {
    case "label":
      if (value.value === "") v.add("label", "must not be empty: give the true label, for example \"7\"");
      else if (value.value.length > MAX_DECISION_TEXT_LENGTH) {
        v.add("label", `has ${value.value.length} characters; a label has at most ${MAX_DECISION_TEXT_LENGTH}`);
      } else if (value.value.includes("\u0000")) {
        v.add("label", "holds a NUL character (\\u0000), which cannot be stored: remove it");
      }
      break;
    case "reward":
      if (!Number.isFinite(value.value)) v.add("reward", `is ${value.value}: give a finite number`);
      break;
    case undefined:
      v.add("value", "is required: set exactly one of label (the true label) or reward (a number)");
      break;
  }
  v.throwIfAny("the feedback cannot be recorded");
  return { requestId: request.requestId, value: value as FeedbackValue };
}

function checkDecision(v: Violations, record: DecisionRecord, now: Date): void {
  checkRequestId(v, "decision.request_id", record.requestId);
  checkTime(v, record, now);
  if (!Number.isInteger(record.code) || record.code < 0 || record.code > MAX_GRPC_CODE) {
    v.add("decision.code", `is ${record.code}: give the request's final gRPC status code, 0 (OK) to ${MAX_GRPC_CODE}`);
  }
  if (record.model === undefined) {
    if (record.code === 0) v.add("decision.model", "is required when code is 0 (OK): the model version that answered");
  } else {
    checkName(v, "decision.model.name", record.model.name, "digits-general", "model");
    checkVersion(v, "decision.model.version", record.model.version, true);
  }
  if (record.attempted.length > MAX_ATTEMPTED) {
    v.add("decision.attempted", `lists ${record.attempted.length} model versions; at most ${MAX_ATTEMPTED} are kept`);
  }
  record.attempted.slice(0, MAX_ATTEMPTED).forEach((model, i) => {
    checkName(v, `decision.attempted[${i}].name`, model.name, "digits-general", "model");
    checkVersion(v, `decision.attempted[${i}].version`, model.version, false);
  });
  checkOptionalName(v, "decision.policy", record.policy, "policy");
  checkOptionalName(v, "decision.rule", record.rule, "rule");
  checkLength(v, "decision.top_label", record.topLabel);
  checkLength(v, "decision.tenant", record.tenant);
  checkShadowResults(v, record.shadows, MAX_DECISION_TEXT_LENGTH);
  checkPropensity(v, record.propensity);
  if (Modality[record.modality] === undefined) {
    v.add("decision.modality", `is ${record.modality}, not a known modality: give the analyzer's modality (or leave it unspecified)`);
  }
  if (record.traceId !== "" && (!TRACE_ID.test(record.traceId) || /^0+$/.test(record.traceId))) {
    v.add(
      "decision.trace_id",
      `${quoted(record.traceId)} is not a W3C trace id: give 32 lower-case hex digits, not all zero (or leave it empty)`,
    );
  }
}

/** A propensity is a probability in (0, 1]; 0 (unset) means unknown, as in records from routers that predate it. */
function checkPropensity(v: Violations, propensity: number): void {
  if (propensity === 0 || (propensity > 0 && propensity <= 1)) return;
  v.add(
    "decision.propensity",
    `is ${propensity}: give the probability with which the strategy chose the target, greater than 0 and at most 1 (or leave it unset when unknown)`,
  );
}

function checkRequestId(v: Violations, field: string, requestId: string): void {
  if (requestId === "") v.add(field, "is required: the request_id of the answered request");
  else if (!REQUEST_ID.test(requestId)) {
    v.add(field, `${quoted(requestId)} is not a request id: use 1 to 128 letters, digits, '.', '_', ':' or '-'`);
  }
}

function checkTime(v: Violations, record: DecisionRecord, now: Date): void {
  const time = record.time;
  if (time === undefined) {
    v.add("decision.time", "is required: when the router answered");
    return;
  }
  if (time.seconds < MIN_TIMESTAMP_SECONDS || time.seconds > MAX_TIMESTAMP_SECONDS || time.nanos < 0 || time.nanos > 999_999_999) {
    v.add("decision.time", "is not a valid timestamp: seconds from year 1 to 9999, nanos from 0 to 999,999,999");
    return;
  }
  const aheadMs = timestampMs(time) - now.getTime();
  if (aheadMs > MAX_DECISION_CLOCK_SKEW_MS) {
    v.add(
      "decision.time",
      `is ${Math.round(aheadMs / 60_000)} minutes ahead of the registry's clock (at most ` +
        `${MAX_DECISION_CLOCK_SKEW_MS / 60_000} are accepted): check the router's clock`,
    );
  }
}

function checkOptionalName(v: Violations, field: string, value: string, what: string): void {
  const problem = value === "" ? undefined : resourceNameProblem(value, what, what === "rule" ? "images" : "digits-routing");
  if (problem !== undefined) v.add(field, `${problem} (or leave it empty when there is none)`);
}

function checkLength(v: Violations, field: string, value: string): void {
  if (value.length > MAX_DECISION_TEXT_LENGTH) {
    v.add(field, `has ${value.length} characters; at most ${MAX_DECISION_TEXT_LENGTH} are kept`);
  }
}
