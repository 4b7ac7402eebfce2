import { DomainError, ErrorReason, Violations, invalidFields } from "@modelrouter/errors";
import type { ProblemKind } from "./common/detection.js";

/**
 * Where the analysis of a request records what is wrong with it, by kind: `invalid` for input that is
 * malformed, damaged or over a limit, `unsupported` for well-formed input that no model can take (a GIF image).
 */
export type PayloadProblems = Readonly<Record<ProblemKind, Violations>>;

/** Empty {@link PayloadProblems}. */
export function payloadProblems(): PayloadProblems {
  return { invalid: new Violations(), unsupported: new Violations() };
}

/**
 * Throws the error that `problems` amount to, unless there is none: INVALID_FIELD listing every violation when
 * any is invalid (so that a client learns all of them at once), else PAYLOAD_UNSUPPORTED with its violations.
 * Either maps to INVALID_ARGUMENT, and every violation names its field.
 */
export function throwIfAny(problems: PayloadProblems, summary: string): void {
  const { invalid, unsupported } = problems;
  if (!invalid.empty) throw invalidFields(summary, [...invalid.items, ...unsupported.items]);
  if (unsupported.empty) return;
  const violations = unsupported.items;
  const listed = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  throw new DomainError(ErrorReason.PAYLOAD_UNSUPPORTED, `${summary}: ${listed}`, {
    violations,
    metadata: { fields: violations.map((v) => v.field).join(",") },
  });
}
