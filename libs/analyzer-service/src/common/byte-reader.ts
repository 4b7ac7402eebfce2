/**
 * Bounds-checked reads of integers and ASCII tags from a byte array, without copying it.
 *
 * Detectors check that the bytes they need are present before reading and report a truncated header as a
 * {@link Detection} problem. These readers are the safety net behind that check: a read past the end is a bug,
 * so it throws a `RangeError` (never a domain error) and the property tests catch it.
 */

function check(bytes: Uint8Array, offset: number, size: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > bytes.length) {
    throw new RangeError(`read of ${size} bytes at offset ${offset} is past the end (length ${bytes.length})`);
  }
}

/** The byte at `offset`. */
export function u8(bytes: Uint8Array, offset: number): number {
  check(bytes, offset, 1);
  return bytes[offset] as number;
}

/** The big-endian unsigned 16-bit integer at `offset`. */
export function u16be(bytes: Uint8Array, offset: number): number {
  check(bytes, offset, 2);
  return ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
}

/** The little-endian unsigned 16-bit integer at `offset`. */
export function u16le(bytes: Uint8Array, offset: number): number {
  check(bytes, offset, 2);
  return (bytes[offset] as number) | ((bytes[offset + 1] as number) << 8);
}

/** The little-endian unsigned 24-bit integer at `offset`. */
export function u24le(bytes: Uint8Array, offset: number): number {
  check(bytes, offset, 3);
  return (bytes[offset] as number) | ((bytes[offset + 1] as number) << 8) | ((bytes[offset + 2] as number) << 16);
}

/** The big-endian unsigned 32-bit integer at `offset`. */
export function u32be(bytes: Uint8Array, offset: number): number {
  check(bytes, offset, 4);
  return (
    (bytes[offset] as number) * 0x1000000 +
    (((bytes[offset + 1] as number) << 16) | ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number))
  );
}

/** The little-endian unsigned 32-bit integer at `offset`. */
export function u32le(bytes: Uint8Array, offset: number): number {
  check(bytes, offset, 4);
  return (
    (bytes[offset + 3] as number) * 0x1000000 +
    (((bytes[offset + 2] as number) << 16) | ((bytes[offset + 1] as number) << 8) | (bytes[offset] as number))
  );
}

/** The little-endian signed 32-bit integer at `offset`. */
export function i32le(bytes: Uint8Array, offset: number): number {
  check(bytes, offset, 4);
  return (
    (bytes[offset] as number) |
    ((bytes[offset + 1] as number) << 8) |
    ((bytes[offset + 2] as number) << 16) |
    ((bytes[offset + 3] as number) << 24)
  );
}

/** True when `bytes` holds `tag` (ASCII or raw byte values) at `offset`; false when it differs or is too short. */
export function hasTag(bytes: Uint8Array, offset: number, tag: string | readonly number[]): boolean {
  if (offset < 0 || offset + tag.length > bytes.length) return false;
  for (let i = 0; i < tag.length; i++) {
    const expected = typeof tag === "string" ? tag.charCodeAt(i) : tag[i];
    if (bytes[offset + i] !== expected) return false;
  }
  return true;
}

/** The `length` bytes at `offset` as printable ASCII (other bytes as `?`), for messages such as chunk names. */
export function asciiTag(bytes: Uint8Array, offset: number, length: number): string {
  check(bytes, offset, length);
  let out = "";
  for (let i = 0; i < length; i++) {
    const b = bytes[offset + i] as number;
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "?";
  }
  return out;
}

/** The first bytes in hex (at most `max`), for messages that say what a payload starts with. */
export function hexPreview(bytes: Uint8Array, max = 8): string {
  const parts: string[] = [];
  const n = Math.min(max, bytes.length);
  for (let i = 0; i < n; i++) parts.push((bytes[i] as number).toString(16).padStart(2, "0"));
  return parts.join(" ") + (bytes.length > max ? " …" : "");
}
