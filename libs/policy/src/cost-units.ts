/**
 * The prices of the cost model, in abstract cost units: one unit is about the work of evaluating one node of
 * an expression's syntax tree (a literal, a field selection, a comparison of two numbers). The other prices
 * are set so that no construct does more work per unit than a plain node; `bench/cost-calibration.mjs`
 * measures nanoseconds per unit for each construct, and the budgets in `limits.ts` are chosen from that.
 */
export const COST = Object.freeze({
  /** One node of the syntax tree evaluated. */
  node: 1,
  /**
   * Selecting or indexing a value that is a list, a map or a message (`request.metadata`, `input.image`,
   * `input.tabular.fields[f]`): cel-js checks the value's type as it reads it.
   */
  container: 6,
  /** The bookkeeping of one iteration of a comprehension (binding the variable, the accumulator step). */
  iteration: 3,
  /** Scanning, copying or comparing one UTF-16 code unit of a string (or one byte). */
  char: 0.1,
  /** `size()` of a string, which counts code points one by one. */
  codePoint: 0.5,
  /** One element split() creates or join() appends, or one element copied by `+` on lists. */
  piece: 1,
  /** One entry of a map literal: cel-js builds a fresh object property by property at every evaluation. */
  mapEntry: 25,
  /** One byte of `json()`'s input, parsed into maps and lists. */
  jsonByte: 1,
  /** `timestamp(string)`: a Date parse of a string of at most 30 characters. */
  timestampParse: 150,
  /** `duration(string)`: a fixed part; the string's scans grow with the square of its length. */
  durationParse: 150,
  /** A timestamp getter with a time zone (`now.getHours("Europe/Berlin")`): an Intl conversion. */
  timeZone: 4000,
  /** `cel.bind()`: a new scope for its variable. */
  bind: 10,
  /**
   * A run-time error (a missing map key, an overflow, a failed conversion): cel-js builds an Error, with its
   * stack, and formats an excerpt of the expression up to the error's position (`errorPerChar` per character).
   */
  error: 1000,
  errorPerChar: 1,
  /** Recording one rule's outcome in the explanation of a decision (a protobuf message per rule). */
  rule: 100,
  /** Recording one policy's outcome in the explanation of a decision. */
  policy: 100,
});
