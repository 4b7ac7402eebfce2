/** Protobuf wire types. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** One top-level field of an encoded message, as byte offsets. */
export interface RawField {
  readonly field: number;
  readonly wireType: number;
  /** Where its tag starts. */
  readonly start: number;
  /** Where its tag ends and its value starts. */
  readonly valueStart: number;
  /** Just after its value. */
  readonly end: number;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A base-128 varint (a negative number as its 64-bit two's complement, like protobuf). */
export function varint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? low : low | 0x80);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

/** A field tag. */
export function tag(field: number, wireType: number): Uint8Array {
  return varint((BigInt(field) << 3n) | BigInt(wireType));
}

/** A length-delimited field (string, bytes, message). */
export function lenField(field: number, value: Uint8Array): Uint8Array {
  return concatBytes(tag(field, WireType.LEN), varint(value.length), value);
}

/** A varint field. */
export function varintField(field: number, value: number | bigint): Uint8Array {
  return concatBytes(tag(field, WireType.VARINT), varint(value));
}

/** A double field. */
export function doubleField(field: number, value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return concatBytes(tag(field, WireType.I64), bytes);
}

/** UTF-8 bytes of a string. */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function readVarint(bytes: Uint8Array, at: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const byte = bytes[i]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    shift += 7n;
  }
  throw new Error(`bad varint at ${at}`);
}

/** Splits a well-formed message into its top-level fields (groups are not supported). */
export function splitFields(bytes: Uint8Array): RawField[] {
  const fields: RawField[] = [];
  let at = 0;
  while (at < bytes.length) {
    const key = readVarint(bytes, at);
    const field = Number(key.value >> 3n);
    const wireType = Number(key.value & 7n);
    let end: number;
    switch (wireType) {
      case WireType.VARINT:
        end = readVarint(bytes, key.next).next;
        break;
      case WireType.I64:
        end = key.next + 8;
        break;
      case WireType.I32:
        end = key.next + 4;
        break;
      case WireType.LEN: {
        const length = readVarint(bytes, key.next);
        end = length.next + Number(length.value);
        break;
      }
      default:
        throw new Error(`unsupported wire type ${wireType} at ${at}`);
    }
    if (end > bytes.length) throw new Error(`field ${field} at ${at} runs past the end`);
    fields.push({ field, wireType, start: at, valueStart: key.next, end });
    at = end;
  }
  return fields;
}

/**
 * The bytes that set one nested field when appended to a message: `path` is a list of field numbers from the
 * top-level message down (embedded messages merge, so the rest of the message is kept), `value` the encoded
 * value of the innermost field, written with `wireType`.
 */
export function nestedField(path: readonly number[], wireType: number, value: Uint8Array): Uint8Array {
  if (path.length === 0) throw new Error("empty field path");
  const inner = path[path.length - 1]!;
  let bytes =
    wireType === WireType.LEN ? lenField(inner, value) : concatBytes(tag(inner, wireType), value);
  for (let i = path.length - 2; i >= 0; i--) bytes = lenField(path[i]!, bytes);
  return bytes;
}
