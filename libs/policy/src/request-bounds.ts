import type { InputProfile, RequestContext } from "@modelrouter/contracts";
import type { PolicyViolation } from "./policy-violation.js";

/**
 * The largest values a request can bring to a policy, as the cost estimator assumes them: every `input` and
 * `request` value a condition reads is within these bounds, so that the estimate of a condition is an upper
 * bound of its work for every request. Lengths of strings are in UTF-16 code units.
 *
 * The counts mirror what the services already enforce before a request is decided: the analyzer's
 * `ANALYZER_LIMITS` (64 metadata entries, keys of at most 63 characters, values of at most 1,024 code
 * points, i.e. 2,048 UTF-16 code units; 1,000 tabular fields; tensors of rank 32) and the router's request
 * validation (tenant, tier and user id of at most 256 characters, request ids of at most 128). The others
 * (the declared MIME type, field names, warnings, and the names the analyzer produces such as formats and
 * languages) are bounded here; the decision engine refuses a profile beyond any bound
 * ({@link requestBoundsViolations}) rather than evaluate it.
 */
export interface RequestBounds {
  /** Entries of `request.metadata` and of `input.metadata`. */
  readonly metadataEntries: number;
  readonly metadataKeyLength: number;
  readonly metadataValueLength: number;
  /** `request.tenant`, `request.tier`, `request.user_id`. */
  readonly identityLength: number;
  readonly requestIdLength: number;
  /** `input.declared_mime_type`, as the client declared it. */
  readonly declaredMimeTypeLength: number;
  /** Names the analyzer produces: modality, MIME type, formats, language, script, colour, field types, tensor data type. */
  readonly profileNameLength: number;
  /** Entries of `input.tabular.fields`, and the length of a field's name. */
  readonly tabularFields: number;
  readonly fieldNameLength: number;
  /** Dimensions of `input.tensor.shape`. */
  readonly tensorRank: number;
  /** Entries of `input.warnings`, and the length of one. */
  readonly warnings: number;
  readonly warningLength: number;
}

/** The bounds the policy language assumes, and the decision engine enforces. */
export const REQUEST_BOUNDS: RequestBounds = Object.freeze({
  metadataEntries: 64,
  metadataKeyLength: 63,
  metadataValueLength: 2048,
  identityLength: 256,
  requestIdLength: 128,
  declaredMimeTypeLength: 1024,
  profileNameLength: 64,
  tabularFields: 1000,
  fieldNameLength: 1024,
  tensorRank: 32,
  warnings: 16,
  warningLength: 2048,
});

type Report = (field: string, description: string) => void;

function checkLength(report: Report, field: string, value: string, max: number): void {
  if (value.length > max) {
    report(field, `is ${value.length} characters long; a policy input may have at most ${max}`);
  }
}

function checkMetadata(report: Report, field: string, metadata: Readonly<Record<string, string>>, bounds: RequestBounds): void {
  const keys = Object.keys(metadata);
  if (keys.length > bounds.metadataEntries) {
    report(field, `has ${keys.length} entries; a policy input may have at most ${bounds.metadataEntries}`);
  }
  for (const key of keys.slice(0, bounds.metadataEntries)) {
    const entry = `${field}[${JSON.stringify(key.slice(0, 64))}]`;
    if (key.length > bounds.metadataKeyLength) {
      report(entry, `has a key of ${key.length} characters; a policy input may have at most ${bounds.metadataKeyLength}`);
    }
    checkLength(report, entry, metadata[key] ?? "", bounds.metadataValueLength);
  }
}

function checkProfile(report: Report, profile: InputProfile, bounds: RequestBounds): void {
  const names: [string, string | undefined][] = [
    ["profile.mime_type", profile.mimeType],
    ["profile.image.format", profile.image?.format],
    ["profile.audio.format", profile.audio?.format],
    ["profile.text.language", profile.text?.language],
    ["profile.text.script", profile.text?.script],
    ["profile.image.color", profile.image?.color],
  ];
  for (const [field, value] of names) checkLength(report, field, value ?? "", bounds.profileNameLength);
  checkLength(report, "profile.declared_mime_type", profile.declaredMimeType ?? "", bounds.declaredMimeTypeLength);
  checkMetadata(report, "profile.metadata", profile.metadata ?? {}, bounds);
  const warnings = profile.warnings ?? [];
  if (warnings.length > bounds.warnings) {
    report("profile.warnings", `has ${warnings.length} entries; a policy input may have at most ${bounds.warnings}`);
  }
  warnings.slice(0, bounds.warnings).forEach((warning, i) => {
    checkLength(report, `profile.warnings[${i}]`, warning, bounds.warningLength);
  });
  const fields = Object.entries(profile.tabular?.fields ?? {});
  if (fields.length > bounds.tabularFields) {
    report("profile.tabular.fields", `has ${fields.length} entries; a policy input may have at most ${bounds.tabularFields}`);
  }
  for (const [name, field] of fields.slice(0, bounds.tabularFields)) {
    const path = `profile.tabular.fields[${JSON.stringify(name.slice(0, 64))}]`;
    if (name.length > bounds.fieldNameLength) {
      report(path, `has a name of ${name.length} characters; a policy input may have at most ${bounds.fieldNameLength}`);
    }
    checkLength(report, `${path}.type`, field.type ?? "", bounds.profileNameLength);
  }
  const rank = profile.tensor?.shape?.length ?? 0;
  if (rank > bounds.tensorRank) {
    report("profile.tensor.shape", `has ${rank} dimensions; a policy input may have at most ${bounds.tensorRank}`);
  }
}

/**
 * What in a request's profile and context exceeds {@link REQUEST_BOUNDS}, at its path (`profile.warnings`,
 * `context.metadata["k"]`); empty when the request is within them. A request within the bounds costs every
 * compiled condition at most its estimated cost. Checks lengths and counts only: cheap for any request.
 */
export function requestBoundsViolations(
  profile: InputProfile,
  context: RequestContext | undefined,
  bounds: RequestBounds = REQUEST_BOUNDS,
): readonly PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const report: Report = (field, description) => {
    violations.push({ field, description });
  };
  checkProfile(report, profile, bounds);
  if (context !== undefined) {
    checkMetadata(report, "context.metadata", context.metadata ?? {}, bounds);
    for (const [field, value] of [
      ["context.tenant", context.tenant],
      ["context.tier", context.tier],
      ["context.user_id", context.userId],
    ] as const) {
      checkLength(report, field, value ?? "", bounds.identityLength);
    }
    checkLength(report, "context.request_id", context.requestId ?? "", bounds.requestIdLength);
  }
  return violations;
}
