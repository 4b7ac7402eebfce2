/** A 1-based line and column and a 0-based offset in a CEL expression. */
export interface SourcePosition {
  readonly line: number;
  /** 1-based, in UTF-16 code units from the start of the line. */
  readonly column: number;
  /** 0-based, in UTF-16 code units from the start of the expression. */
  readonly offset: number;
}

/** One reason a policy does not compile. */
export interface PolicyViolation {
  /** Path in the Policy message, e.g. "rules[1].when", "default_route.fallbacks[0].model.name". */
  readonly field: string;
  /** What is wrong and how to fix it; for CEL, the checker's message with the expression excerpt. */
  readonly description: string;
  /** For CEL errors: 1-based line and column and 0-based offset in the expression. */
  readonly position?: SourcePosition;
}

/**
 * Collects the violations and warnings of one compilation, so that every problem of a policy is reported at
 * once, each with its path.
 */
export class CompileReport {
  readonly violations: PolicyViolation[] = [];
  readonly warnings: string[] = [];

  /** Records that `field` is wrong. */
  violation(field: string, description: string, position?: SourcePosition): void {
    this.violations.push(position === undefined ? { field, description } : { field, description, position });
  }

  /** Records something that compiles but is probably wrong, as "`field`: text". */
  warning(field: string, text: string): void {
    this.warnings.push(`${field}: ${text}`);
  }
}
