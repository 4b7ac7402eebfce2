/** The FNV-1a 32-bit offset basis: the hash of no bytes. */
export const FNV1A_OFFSET = 0x811c9dc5;

/** Feeds `bytes` to an FNV-1a 32-bit hash in state `hash` and returns the new state (an unsigned 32-bit integer). */
export function fnv1a(hash: number, bytes: ArrayLike<number>): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) {
    h = Math.imul(h ^ (bytes[i] ?? 0), 0x01000193) >>> 0;
  }
  return h;
}

/** The UTF-8 bytes of one code point; a lone surrogate is encoded as U+FFFD, as `TextEncoder` does. */
export function utf8Of(codePoint: number): number[] {
  const cp = codePoint >= 0xd800 && codePoint <= 0xdfff ? 0xfffd : codePoint;
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}
