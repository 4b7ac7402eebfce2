import type { Policy } from "@modelrouter/contracts";
import { DomainError, ErrorReason, type FieldViolation } from "@modelrouter/errors";
import type { PolicyViolation } from "@modelrouter/policy";

/**
 * The POLICY_INVALID error of a policy that does not compile. The message names the first problem's field
 * and position; the violations list every problem at its path in the request (`policy.rules[0].when`), with
 * the position at the start of the description; metadata has the first problem's `field`, and its `line`
 * and `column` when it has a position.
 */
export function policyInvalid(policy: Policy, violations: readonly PolicyViolation[]): DomainError {
  const items: FieldViolation[] = violations.map((violation) => ({
    field: requestPath(violation.field),
    description:
      violation.position === undefined
        ? violation.description
        : `line ${violation.position.line}, column ${violation.position.column}: ${violation.description}`,
  }));
  const first = violations[0];
  const firstField = first === undefined ? "policy" : requestPath(first.field);
  const where =
    first?.position === undefined ? firstField : `${firstField} (line ${first.position.line}, column ${first.position.column})`;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more: see the violations)` : "";
  const subject = policy.name === "" ? "the policy" : `policy "${policy.name}"`;
  return new DomainError(
    ErrorReason.POLICY_INVALID,
    `${subject} does not compile: ${where}: ${first?.description ?? "rejected by the compiler"}${more}`,
    {
      violations: items,
      metadata: {
        field: firstField,
        ...(first?.position === undefined
          ? {}
          : { line: String(first.position.line), column: String(first.position.column) }),
      },
    },
  );
}

/** A compiler field path (relative to the policy) as a path in the ApplyPolicy request. */
function requestPath(field: string): string {
  if (field === "") return "policy";
  return field.startsWith("[") ? `policy${field}` : `policy.${field}`;
}
