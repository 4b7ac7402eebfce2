import type { DecideRequest, InputProfile, RequestContext } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";

/** A DecideRequest that passed validation. */
export interface ValidDecideRequest {
  readonly profile: InputProfile;
  readonly context: RequestContext | undefined;
}

/** Checks a DecideRequest, reporting every problem at once (INVALID_FIELD). */
export function parseDecideRequest(request: DecideRequest): ValidDecideRequest {
  const violations = new Violations();
  if (request.profile === undefined) {
    violations.add("profile", "is required: pass the analyzer's InputProfile of the payload");
  }
  violations.throwIfAny("the decide request is invalid");
  return { profile: request.profile as InputProfile, context: request.context };
}
