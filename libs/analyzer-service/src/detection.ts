/**
 * The outcome of reading a header: the header, or what is wrong with the bytes, in words a client can act on
 * (for example "is truncated: the IHDR chunk needs 33 bytes, got 20"). The caller decides which request field
 * the problem belongs to.
 */
export type Detection<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** A successful {@link Detection}. */
export function detected<T>(value: T): Detection<T> {
  return { ok: true, value };
}

/** A failed {@link Detection}; `problem` completes the sentence "the PNG …". */
export function rejected<T>(problem: string): Detection<T> {
  return { ok: false, problem };
}

/** The problem of bytes that end before a header does. */
export function truncated<T>(what: string, needed: number, got: number): Detection<T> {
  return rejected(`is truncated: the ${what} needs ${needed} bytes, got ${got}`);
}
