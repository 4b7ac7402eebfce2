import type { DecideRequest, InputProfile, RequestContext } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import { requestBoundsViolations } from "@modelrouter/policy";
import { type LoadLookup, parseModelLoad } from "./model-load.js";

/** A DecideRequest that passed validation. */
export interface ValidDecideRequest {
  readonly profile: InputProfile;
  readonly context: RequestContext | undefined;
  /** The router's requests in flight per model version (0 for a model it did not report). */
  readonly load: LoadLookup;
}

/**
 * Checks a DecideRequest, reporting every problem at once (INVALID_FIELD): the profile is required, and the
 * profile and context must be within the policy language's `REQUEST_BOUNDS` (the sizes the analyzer and the
 * router already enforce, and the lengths of the strings they pass on), since every policy's cost was
 * estimated, and budgeted, for requests within them; every `load` entry names a model.
 */
export function parseDecideRequest(request: DecideRequest): ValidDecideRequest {
  const violations = new Violations();
  if (request.profile === undefined) {
    violations.add("profile", "is required: pass the analyzer's InputProfile of the payload");
  } else {
    for (const violation of requestBoundsViolations(request.profile, request.context)) {
      violations.add(violation.field, violation.description);
    }
  }
  const load = parseModelLoad(request.load ?? [], violations);
  violations.throwIfAny("the decide request is invalid");
  return { profile: request.profile as InputProfile, context: request.context, load };
}
