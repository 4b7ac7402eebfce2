import type { ExecuteRequest } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { resourceNameProblem, versionProblem } from "@modelrouter/syntax";

/**
 * Checks an ExecuteRequest's `model`, whatever its backend: required, a valid model name and an exact version.
 * Adds each problem to `v` under `model`, `model.name` or `model.version`; returns the name and version as given
 * ("" when absent).
 */
export function checkRequestModel(request: ExecuteRequest, v: Violations): { readonly name: string; readonly version: string } {
  const name = request.model?.name ?? "";
  const version = request.model?.version ?? "";
  if (request.model === undefined) {
    v.add("model", "is required: name the model and its exact version");
    return { name, version };
  }
  const nameProblem = resourceNameProblem(name, "model");
  if (nameProblem !== undefined) v.add("model.name", nameProblem);
  const versionText = versionProblem(version);
  if (versionText !== undefined) v.add("model.version", `${versionText} (the exact version to run)`);
  return { name, version };
}
