import type { InferRequest, SubmitFeedbackRequest } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const POLICY_NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_IDENTITY_LENGTH = 256;

/**
 * Checks the fields the router owns (request id, caller identity, pinned policy). The payload and metadata
 * are checked by the analyzer, whose field paths are the same as the router's (`payload.…`, `metadata[…]`).
 */
export function validateInferRequest(request: InferRequest, prefix = ""): Violations {
  const v = new Violations();
  if (request.requestId !== "" && !REQUEST_ID.test(request.requestId)) {
    v.add(`${prefix}request_id`, "must be 1 to 128 letters, digits, '.', '_', ':' or '-'; leave it empty to get a generated id");
  }
  for (const [field, value] of [
    ["tenant", request.tenant],
    ["tier", request.tier],
    ["user_id", request.userId],
  ] as const) {
    if (value.length > MAX_IDENTITY_LENGTH) v.add(`${prefix}${field}`, `must be at most ${MAX_IDENTITY_LENGTH} characters`);
  }
  if (request.policy !== "" && !POLICY_NAME.test(request.policy)) {
    v.add(`${prefix}policy`, "must be a policy name (lower-case letters, digits and '-'), or empty to let the policies' priorities decide");
  }
  if (request.payload === undefined || request.payload.kind.case === undefined) {
    v.add(`${prefix}payload`, "is required: set exactly one of text, image, audio, json, tensor, binary, chat");
  }
  return v;
}

/** Checks a feedback request. */
export function validateFeedbackRequest(request: SubmitFeedbackRequest): Violations {
  const v = new Violations();
  if (request.requestId === "") v.add("request_id", "is required: the request_id an earlier Infer returned");
  else if (!REQUEST_ID.test(request.requestId)) v.add("request_id", "must be 1 to 128 letters, digits, '.', '_', ':' or '-'");
  switch (request.feedback.case) {
    case "label":
      if (request.feedback.value === "") v.add("label", "must not be empty");
      break;
    case "reward":
      if (!Number.isFinite(request.feedback.value)) v.add("reward", "must be a finite number");
      break;
    default:
      v.add("feedback", "is required: set label (the true label) or reward");
  }
  return v;
}
