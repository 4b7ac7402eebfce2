import type { ListExperimentsRequest } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import { checkName } from "../validation/names.js";

/** The policy a ListExperiments request asks about, or undefined for every policy. */
export function parseListExperiments(request: ListExperimentsRequest): string | undefined {
  if (request.policy === "") return undefined;
  const v = new Violations();
  checkName(v, "policy", request.policy, "digits-routing", "policy");
  v.throwIfAny("invalid request");
  return request.policy;
}
