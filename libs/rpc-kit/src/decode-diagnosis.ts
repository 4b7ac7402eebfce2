import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import type { FieldViolation } from "@modelrouter/errors";

/** The nesting depth protobuf-es decodes (its `recursionLimit`), and so the deepest message a client may send. */
export const MAX_MESSAGE_DEPTH = 100;

/** The field path of a problem in the whole message (rather than in one of its fields). */
export const ROOT_FIELD = "request";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Finds why `bytes` are not a valid `desc` message, as a field violation with the path of the field at fault
 * (`tenant`, `metadata["k"]`, `payload.json.struct_value.fields["a"]…`): a string that is not UTF-8, a message
 * nested deeper than {@link MAX_MESSAGE_DEPTH}, a value of the wrong wire type, a length running past the end.
 * Called only after decoding failed, so it may cost a second pass. Iterative in depth (no recursion on the
 * input), so hostile nesting cannot overflow the stack.
 */
export function diagnoseUndecodable(desc: DescMessage, bytes: Uint8Array, error: unknown): FieldViolation {
  const found = walk(desc, bytes);
  if (found !== undefined) return found;
  const reason = error instanceof Error ? error.message : String(error);
  return { field: ROOT_FIELD, description: `is not a valid ${desc.typeName} message: ${reason.slice(0, 200)}` };
}

interface Frame {
  readonly desc: DescMessage;
  readonly reader: BinaryReader;
  readonly path: string;
  readonly depth: number;
  /** Elements seen so far of each repeated field, for `[i]` in paths. */
  readonly counts: Map<number, number>;
}

function walk(root: DescMessage, bytes: Uint8Array): FieldViolation | undefined {
  const stack: Frame[] = [{ desc: root, reader: new BinaryReader(bytes), path: "", depth: 1, counts: new Map() }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const { reader } = frame;
    if (reader.pos >= reader.len) {
      stack.pop();
      continue;
    }
    let fieldNo: number;
    let wireType: WireType;
    try {
      [fieldNo, wireType] = reader.tag();
    } catch {
      return violation(frame.path, `is truncated or malformed at byte ${reader.pos} (a field tag runs past its end)`);
    }
    const field = frame.desc.fields.find((f) => f.number === fieldNo);
    let data: Uint8Array;
    try {
      data = reader.skip(wireType, fieldNo);
    } catch {
      const at = field === undefined ? frame.path : join(frame.path, field.name);
      return violation(at, `is truncated or malformed (its length or value runs past the end of the message)`);
    }
    if (field === undefined) continue;
    const index = frame.counts.get(fieldNo) ?? 0;
    frame.counts.set(fieldNo, index + 1);
    const step = checkField(field, wireType, data, join(frame.path, field.name), index);
    if (typeof step === "object" && "field" in step) return step;
    if (step !== undefined) {
      if (frame.depth + 1 > MAX_MESSAGE_DEPTH) {
        return violation(step.path, `is nested more than ${MAX_MESSAGE_DEPTH} levels deep; flatten the value`);
      }
      stack.push({ desc: step.desc, reader: new BinaryReader(step.bytes), path: step.path, depth: frame.depth + 1, counts: new Map() });
    }
  }
  return undefined;
}

interface Descend {
  readonly desc: DescMessage;
  readonly bytes: Uint8Array;
  readonly path: string;
}

/** Checks one field occurrence: a violation, a sub-message to descend into, or nothing to say. */
function checkField(field: DescField, wireType: WireType, data: Uint8Array, path: string, index: number): FieldViolation | Descend | undefined {
  switch (field.fieldKind) {
    case "scalar":
      return checkScalar(field.scalar, wireType, data, path);
    case "enum":
      return wireType === WireType.Varint ? undefined : wrongWireType(path, "an enum (varint)");
    case "message":
      return descend(field.message, wireType, data, path);
    case "list": {
      const at = `${path}[${index}]`;
      if (field.listKind === "message") return descend(field.message, wireType, data, at);
      if (field.listKind === "enum") return undefined;
      if (wireType === WireType.LengthDelimited && field.scalar !== ScalarType.STRING && field.scalar !== ScalarType.BYTES) return undefined;
      return checkScalar(field.scalar, wireType, data, at);
    }
    case "map":
      return checkMapEntry(field, wireType, data, path);
  }
}

function checkScalar(scalar: ScalarType, wireType: WireType, data: Uint8Array, path: string): FieldViolation | undefined {
  const expected = wireTypeOf(scalar);
  if (wireType !== expected) return wrongWireType(path, `a ${ScalarType[scalar].toLowerCase()}`);
  if (scalar !== ScalarType.STRING) return undefined;
  try {
    utf8.decode(new BinaryReader(data).bytes());
    return undefined;
  } catch {
    return violation(path, "is not valid UTF-8: send text encoded as UTF-8 (or use a bytes field for binary data)");
  }
}

function descend(message: DescMessage, wireType: WireType, data: Uint8Array, path: string): FieldViolation | Descend {
  if (wireType !== WireType.LengthDelimited) return wrongWireType(path, "a message (length-delimited)");
  return { desc: message, bytes: new BinaryReader(data).bytes(), path };
}

function checkMapEntry(field: DescField & { fieldKind: "map" }, wireType: WireType, data: Uint8Array, path: string): FieldViolation | Descend | undefined {
  if (wireType !== WireType.LengthDelimited) return wrongWireType(path, "a map entry (length-delimited)");
  const reader = new BinaryReader(new BinaryReader(data).bytes());
  let key = "";
  let value: Uint8Array | undefined;
  let valueWireType: WireType | undefined;
  try {
    while (reader.pos < reader.len) {
      const [no, wt] = reader.tag();
      const raw = reader.skip(wt, no);
      if (no === 1) {
        if (field.mapKey === ScalarType.STRING) {
          if (wt !== WireType.LengthDelimited) return wrongWireType(path, "a string map key");
          try {
            key = utf8.decode(new BinaryReader(raw).bytes());
          } catch {
            return violation(path, "has a key that is not valid UTF-8: send keys encoded as UTF-8");
          }
        } else key = "…";
      } else if (no === 2) {
        value = raw;
        valueWireType = wt;
      }
    }
  } catch {
    return violation(path, "has a truncated or malformed entry (a length or value runs past its end)");
  }
  const at = `${path}[${JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key)}]`;
  if (value === undefined || valueWireType === undefined) return undefined;
  switch (field.mapKind) {
    case "message":
      return descend(field.message, valueWireType, value, at);
    case "enum":
      return valueWireType === WireType.Varint ? undefined : wrongWireType(at, "an enum (varint)");
    case "scalar":
      return checkScalar(field.scalar, valueWireType, value, at);
  }
}

function wireTypeOf(scalar: ScalarType): WireType {
  switch (scalar) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    default:
      return WireType.Varint;
  }
}

function wrongWireType(path: string, expected: string): FieldViolation {
  return violation(path, `has the wrong wire type: expected ${expected}; the message was not encoded from this service's .proto`);
}

function violation(path: string, description: string): FieldViolation {
  return { field: path === "" ? ROOT_FIELD : path, description };
}

function join(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}
