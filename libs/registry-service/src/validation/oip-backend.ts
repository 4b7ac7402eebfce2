import type { OipBackend } from "@modelrouter/contracts";
import type { EgressPolicy } from "@modelrouter/egress";
import type { Violations } from "@modelrouter/errors";
import { checkLength } from "./bounds.js";
import { MAX_ENDPOINTS, checkEndpoints } from "./endpoints.js";
import { MAX_TENSOR_NAME_LENGTH } from "./limits.js";

/** The most endpoints (instances) one OIP model version may list. */
export const MAX_OIP_ENDPOINTS = MAX_ENDPOINTS;
/** The longest model name or version at an OIP server. */
export const MAX_OIP_MODEL_NAME_LENGTH = 256;

/** A name or version that can stand in a REST path segment (`/v2/models/<name>/versions/<version>`). */
const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Checks an `oip` backend for RegisterModel (its pre- and post-processing are checked with the ONNX backend's,
 * by the caller): its endpoints ({@link checkEndpoints}: 1 to {@link MAX_OIP_ENDPOINTS}, each URL accepted by the
 * egress policy and each credential a reference), model name and version usable in a URL path, tensor names
 * bounded. Problems are recorded under `path` (`model.backend.oip`).
 */
export function checkOipBackend(v: Violations, path: string, oip: OipBackend, egress: EgressPolicy): void {
  checkEndpoints(v, path, oip.endpoints, egress, { example: '{ url: "grpc://triton.models.svc:8001" }' });
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
