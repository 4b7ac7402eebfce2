import { DomainError, type FieldViolation } from "./domain-error.js";
import { ErrorReason } from "./reasons.js";

/**
 * Collects every problem of a request before failing, so that a client learns all of them at once.
 *
 * @example
 * const v = new Violations();
 * if (req.name === "") v.add("name", "is required: give the model's name, for example \"digits-general\"");
 * v.throwIfAny("the model is invalid");
 */
export class Violations {
  readonly #items: FieldViolation[] = [];

  /** Records that `field` is wrong; `description` says what is wrong and how to fix it. */
  add(field: string, description: string): this {
    this.#items.push({ field, description });
    return this;
  }

  /** Records every violation of another collector under a field prefix. */
  addAll(prefix: string, other: readonly FieldViolation[]): this {
    for (const item of other) this.#items.push({ field: joinField(prefix, item.field), description: item.description });
    return this;
  }

  get items(): readonly FieldViolation[] {
    return this.#items;
  }

  get empty(): boolean {
    return this.#items.length === 0;
  }

  /** Throws an INVALID_FIELD {@link DomainError} listing every violation, unless there is none. */
  throwIfAny(summary: string): void {
    if (this.#items.length === 0) return;
    throw invalidFields(summary, this.#items);
  }
}

/** An INVALID_FIELD error whose message names every field, so that even a client that ignores details can act. */
export function invalidFields(summary: string, violations: readonly FieldViolation[]): DomainError {
  const listed = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  return new DomainError(ErrorReason.INVALID_FIELD, `${summary}: ${listed}`, {
    violations,
    metadata: { fields: violations.map((v) => v.field).join(",") },
  });
}

/** A single-field INVALID_FIELD error. */
export function invalidField(field: string, description: string): DomainError {
  return invalidFields("invalid request", [{ field, description }]);
}

function joinField(prefix: string, field: string): string {
  if (prefix === "") return field;
  if (field === "") return prefix;
  return field.startsWith("[") ? `${prefix}${field}` : `${prefix}.${field}`;
}
