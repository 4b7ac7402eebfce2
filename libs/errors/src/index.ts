/**
 * Domain errors shared by every modelrouter service: the reason catalogue, the error class and a collector
 * of field violations. Pure: no I/O, no clock, no randomness.
 *
 * @packageDocumentation
 */
export { ErrorReason, ERROR_DOMAIN } from "./reasons.js";
export { DomainError, isDomainError, type DomainErrorOptions, type FieldViolation } from "./domain-error.js";
export { Violations, invalidField, invalidFields } from "./violations.js";
