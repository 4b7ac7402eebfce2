import { DomainError, ErrorReason } from "@modelrouter/errors";

/**
 * The REVISION_CONFLICT error of a write whose `expected_revision` is not the resource's revision.
 * `actual` is 0 when the resource does not exist.
 */
export function revisionConflict(resource: string, expected: bigint, actual: bigint): DomainError {
  const state = actual === 0n ? "does not exist" : `is at revision ${actual}`;
  const hint = expected === 0n ? "it already exists" : `expected revision ${expected}`;
  return new DomainError(
    ErrorReason.REVISION_CONFLICT,
    `${resource} ${state} (${hint}): read it again, then retry with its current revision`,
    { metadata: { expectedRevision: expected.toString(), actualRevision: actual.toString() } },
  );
}
