import { concatBytes, doubleField, lenField, nestedField, splitFields, tag, utf8, varint, varintField, WireType } from "./protobuf-wire.js";
import type { MessageFields, StringPath } from "./message-fields.js";
import type { Random } from "./seeded-random.js";

/** A request message changed into something a client got wrong (or, for a few kinds, something still valid). */
export interface Mutation {
  /** The kind of change, e.g. `bit-flip` or `invalid-utf8 tenant`. */
  readonly kind: string;
  readonly bytes: Uint8Array;
}

/** Byte sequences that are not UTF-8: lone continuation, truncated sequence, overlong form, surrogate, out of range. */
export const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0xfe, 0xff],
  [0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
];

function invalidUtf8String(random: Random): Uint8Array {
  const bad = Uint8Array.from(random.pick(INVALID_UTF8));
  const before = utf8(random.pick(["", "a", "image_type", "tenant-1"]));
  const after = utf8(random.pick(["", "z", "-lowres"]));
  return concatBytes(before, bad, after);
}

/** Bytes that set the string at `at` to `value` when appended to a message. */
export function stringAt(at: StringPath, value: Uint8Array): Uint8Array {
  if (!at.mapValue) return nestedField(at.path, WireType.LEN, value);
  const entry = concatBytes(lenField(1, utf8("k")), lenField(2, value));
  return nestedField(at.path.slice(0, -1), WireType.LEN, entry);
}

/**
 * A `google.protobuf.Value` nested `depth` levels deep, through lists or structs (a null at the bottom).
 */
export function deepValue(depth: number, through: "list" | "struct"): Uint8Array {
  let value = varintField(1, 0);
  for (let i = 0; i < depth; i++) {
    value =
      through === "list"
        ? lenField(6, lenField(1, value))
        : lenField(5, lenField(1, concatBytes(lenField(1, utf8("a")), lenField(2, value))));
  }
  return value;
}

/** Depths of the deep `payload.json` cases: just over the limit of 100 and far over it. */
export const DEEP_JSON_DEPTHS = [101, 128, 1_000, 10_000] as const;

type Mutator = (valid: Uint8Array, fields: MessageFields, random: Random) => Mutation;

const mutators: Readonly<Record<string, Mutator>> = {
  "bit-flip": (valid, _fields, random) => {
    const bytes = Uint8Array.from(valid);
    const flips = random.between(1, 4);
    for (let i = 0; i < flips && bytes.length > 0; i++) bytes[random.int(bytes.length)]! ^= 1 << random.int(8);
    return { kind: `bit-flip x${flips}`, bytes };
  },
  truncate: (valid, _fields, random) => {
    const at = valid.length === 0 ? 0 : random.int(valid.length);
    return { kind: `truncate at ${at}/${valid.length}`, bytes: valid.slice(0, at) };
  },
  "huge-varint": (valid, _fields, random) => {
    const field = random.between(1, 12);
    const variants: Record<string, () => Uint8Array> = {
      "uint64-max": () => concatBytes(tag(field, WireType.VARINT), varint(0xffff_ffff_ffff_ffffn)),
      "overlong-11-bytes": () => concatBytes(tag(field, WireType.VARINT), Uint8Array.from([...Array<number>(10).fill(0xff), 0x01])),
      "unterminated": () => concatBytes(tag(field, WireType.VARINT), Uint8Array.from(Array<number>(6).fill(0x80))),
      "huge-length": () => concatBytes(tag(field, WireType.LEN), varint(2n ** 62n), utf8("abc")),
      "length-past-end": () => concatBytes(tag(field, WireType.LEN), varint(1_000), utf8("abc")),
      "field-number-0": () => concatBytes(tag(0, WireType.VARINT), varint(1)),
      "field-number-max": () => concatBytes(varint((2n ** 29n - 1n) << 3n), varint(1)),
      "field-number-overflow": () => concatBytes(varint(2n ** 35n), varint(1)),
    };
    const name = random.pick(Object.keys(variants));
    return { kind: `huge-varint ${name} field ${field}`, bytes: concatBytes(valid, variants[name]!()) };
  },
  "wrong-wire-type": (valid, _fields, random) => {
    const fields = splitFields(valid);
    if (fields.length === 0) return { kind: "wrong-wire-type (empty message)", bytes: concatBytes(tag(1, WireType.I32), Uint8Array.of(1, 2, 3, 4)) };
    const target = random.pick(fields);
    const wireType = random.pick([WireType.VARINT, WireType.I64, WireType.LEN, WireType.SGROUP, WireType.EGROUP, WireType.I32].filter((w) => w !== target.wireType));
    const bytes = concatBytes(valid.subarray(0, target.start), tag(target.field, wireType), valid.subarray(target.valueStart));
    return { kind: `wrong-wire-type field ${target.field}: ${target.wireType} -> ${wireType}`, bytes };
  },
  "duplicate-field": (valid, _fields, random) => {
    const fields = splitFields(valid);
    if (fields.length === 0) return { kind: "duplicate-field (empty message)", bytes: valid };
    const target = random.pick(fields);
    const copies = random.pick([2, 2, 3, 100]);
    const parts = [valid];
    for (let i = 1; i < copies; i++) parts.push(valid.subarray(target.start, target.end));
    return { kind: `duplicate-field ${target.field} x${copies}`, bytes: concatBytes(...parts) };
  },
  "invalid-utf8": (valid, fields, random) => {
    if (fields.strings.length === 0) return mutators["bit-flip"]!(valid, fields, random);
    const at = random.pick(fields.strings);
    return { kind: `invalid-utf8 ${at.name}`, bytes: concatBytes(valid, stringAt(at, invalidUtf8String(random))) };
  },
  "deep-json": (valid, fields, random) => {
    if (fields.payloads.length === 0) return mutators["huge-varint"]!(valid, fields, random);
    const path = random.pick(fields.payloads);
    const depth = random.pick(DEEP_JSON_DEPTHS);
    const through = random.pick(["list", "struct"] as const);
    return { kind: `deep-json ${through} depth ${depth}`, bytes: concatBytes(valid, nestedField([...path, 4], WireType.LEN, deepValue(depth, through))) };
  },
  "odd-values": (valid, fields, random) => {
    // Legal wire data with edge values: NaN and infinities, negative sizes, empty and long strings.
    const variants: Record<string, () => Uint8Array> = {
      "nan-double": () => (fields.payloads.length === 0 ? doubleField(random.between(1, 8), Number.NaN) : nestedField([...random.pick(fields.payloads), 4, 2], WireType.I64, doubleBytes(Number.NaN))),
      "infinite-double": () => (fields.payloads.length === 0 ? doubleField(random.between(1, 8), Number.POSITIVE_INFINITY) : nestedField([...random.pick(fields.payloads), 4, 2], WireType.I64, doubleBytes(Number.NEGATIVE_INFINITY))),
      "negative-int": () => varintField(random.between(1, 8), -1),
      "long-string": () => (fields.strings.length === 0 ? lenField(1, utf8("x".repeat(70_000))) : stringAt(random.pick(fields.strings), utf8("é".repeat(35_000)))),
      "nul-string": () => (fields.strings.length === 0 ? lenField(1, Uint8Array.of(0)) : stringAt(random.pick(fields.strings), Uint8Array.of(0x61, 0x00, 0x62))),
    };
    const name = random.pick(Object.keys(variants));
    return { kind: `odd-values ${name}`, bytes: concatBytes(valid, variants[name]!()) };
  },
  "random-bytes": (_valid, _fields, random) => {
    const length = random.between(1, 64);
    return { kind: `random-bytes ${length}`, bytes: random.bytes(length) };
  },
  "unknown-field": (valid, _fields, random) => {
    const field = random.between(100, 5_000);
    return { kind: `unknown-field ${field}`, bytes: concatBytes(valid, lenField(field, random.bytes(random.between(0, 16)))) };
  },
};

function doubleBytes(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return bytes;
}

/** The kinds of mutation, each picked equally often by {@link mutateMessage}. */
export const MUTATION_KINDS = Object.keys(mutators);

/** One seeded mutation of a valid request message. */
export function mutateMessage(valid: Uint8Array, fields: MessageFields, random: Random, kind = random.pick(MUTATION_KINDS)): Mutation {
  const mutator = mutators[kind];
  if (mutator === undefined) throw new Error(`no mutation kind "${kind}"`);
  return mutator(valid, fields, random);
}
