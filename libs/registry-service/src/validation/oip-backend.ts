import type { OipBackend } from "@modelrouter/contracts";
import { type EgressPolicy, checkEndpointUrl, credentialRefProblem } from "@modelrouter/egress";
import type { Violations } from "@modelrouter/errors";
import { ItemReport, checkCount, checkLength } from "./bounds.js";
import { MAX_TENSOR_NAME_LENGTH } from "./limits.js";

/** The most endpoints (instances) one remote model version may list. */
export const MAX_OIP_ENDPOINTS = 16;
/** The longest model name or version at an OIP server. */
export const MAX_OIP_MODEL_NAME_LENGTH = 256;

/** A name or version that can stand in a REST path segment (`/v2/models/<name>/versions/<version>`). */
const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Checks an `oip` backend for RegisterModel (its pre- and post-processing are checked with the ONNX backend's,
 * by the caller): 1 to {@link MAX_OIP_ENDPOINTS} endpoints, each URL accepted by the egress policy (the static
 * check of `@modelrouter/egress`; the executor checks the resolved addresses again when it connects) and each
 * credential a reference (`env:NAME` or `file:/path`), never a secret; model name and version usable in a
 * URL path, tensor names bounded. Problems are recorded under `path` (`model.backend.oip`).
 */
export function checkOipBackend(v: Violations, path: string, oip: OipBackend, egress: EgressPolicy): void {
  if (oip.endpoints.length === 0) {
    v.add(`${path}.endpoints`, "is empty: give the model server's URL, for example { url: \"grpc://triton.models.svc:8001\" }");
  }
  const endpoints = checkCount(v, `${path}.endpoints`, oip.endpoints, MAX_OIP_ENDPOINTS, "endpoints", "put a load balancer in front of more servers");
  const report = new ItemReport(v, `${path}.endpoints`);
  const seen = new Map<string, number>();
  endpoints.forEach((endpoint, i) => {
    const at = `${path}.endpoints[${i}]`;
    const checked = checkEndpointUrl(egress, endpoint.url);
    if (checked.problem !== undefined) report.add(`${at}.url`, checked.problem);
    const first = checked.target === undefined ? undefined : seen.get(checked.target.url);
    if (first !== undefined) report.add(`${at}.url`, `is endpoints[${first}] again (${checked.target?.url}): list each server once`);
    else if (checked.target !== undefined) seen.set(checked.target.url, i);
    if (endpoint.credential !== "") {
      const credentialProblem = credentialRefProblem(endpoint.credential);
      if (credentialProblem !== undefined) report.add(`${at}.credential`, credentialProblem);
    }
  });
  report.done();
  checkPathSegment(v, `${path}.model_name`, oip.modelName, "the model's name at the server");
  checkPathSegment(v, `${path}.model_version`, oip.modelVersion, "the model's version at the server");
  checkLength(v, `${path}.input_name`, oip.inputName, MAX_TENSOR_NAME_LENGTH);
  checkLength(v, `${path}.output_name`, oip.outputName, MAX_TENSOR_NAME_LENGTH);
}

function checkPathSegment(v: Violations, field: string, value: string, what: string): void {
  if (value === "") return;
  if (value.length > MAX_OIP_MODEL_NAME_LENGTH) {
    v.add(field, `is ${value.length} characters long: keep ${what} to at most ${MAX_OIP_MODEL_NAME_LENGTH}`);
  } else if (!PATH_SEGMENT.test(value)) {
    v.add(field, `must be ${what}: letters, digits, "_", "." and "-", not starting with "." or "-" (or empty for the default)`);
  }
}
