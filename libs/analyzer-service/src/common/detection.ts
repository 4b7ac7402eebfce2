/**
 * The outcome of reading or checking encoded bytes: a value, or what is wrong with the bytes, in words a
 * client can act on (for example "is truncated: the IHDR chunk needs 33 bytes, got 20"). The caller decides
 * which request field the problem belongs to.
 *
 * A problem is `invalid` when the bytes are damaged or break their format's specification, and `unsupported`
 * when they are a well-formed variant of the format that modelrouter does not take (a GIF image, an
 * arithmetic-coded JPEG, A-law audio): the first is INVALID_FIELD, the second PAYLOAD_UNSUPPORTED.
 */
export type Detection<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string; readonly kind: ProblemKind };

/** Whether a {@link Detection} failed on damaged bytes or on a variant that is not taken. */
export type ProblemKind = "invalid" | "unsupported";

/** A failed {@link Detection}. */
export type Problem = Extract<Detection<never>, { ok: false }>;

/** A successful {@link Detection}. */
export function detected<T>(value: T): Detection<T> {
  return { ok: true, value };
}

/** A failed {@link Detection} of damaged bytes; `problem` completes the sentence "the PNG …". */
export function rejected(problem: string): Problem {
  return { ok: false, problem, kind: "invalid" };
}

/** A failed {@link Detection} of a well-formed variant that is not taken; `problem` completes "the JPEG …". */
export function unsupported(problem: string): Problem {
  return { ok: false, problem: `is not supported: ${problem}`, kind: "unsupported" };
}

/** The problem of bytes that end before a header does. */
export function truncated(what: string, needed: number, got: number): Problem {
  return rejected(`is truncated: the ${what} needs ${needed} bytes, got ${got}`);
}
