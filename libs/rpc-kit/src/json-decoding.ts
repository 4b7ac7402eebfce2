import { fromJson, type DescField, type DescMessage, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { isFieldError } from "@bufbuild/protobuf/reflect";
import type { FieldViolation } from "@modelrouter/errors";
import { ROOT_FIELD } from "./decode-diagnosis.js";

/** Decodes a message from its protobuf JSON form; a problem is a violation naming the field at fault. */
export function decodeJsonMessage(
  desc: DescMessage,
  text: string,
): { readonly message: MessageShape<DescMessage> } | { readonly violation: FieldViolation } {
  let json: JsonValue;
  try {
    json = JSON.parse(text) as JsonValue;
  } catch (error) {
    const reason = error instanceof RangeError ? "is nested too deeply to parse" : `is not valid JSON: ${(error as Error).message.slice(0, 120)}`;
    return { violation: { field: ROOT_FIELD, description: reason } };
  }
  try {
    return { message: fromJson(desc, json) };
  } catch (error) {
    return { violation: locate(desc, json, error) };
  }
}

interface Place {
  readonly desc: DescMessage | undefined;
  readonly json: JsonValue;
  /** The protobuf field path of this place (the nearest known field for values inside a JSON-typed field). */
  readonly path: string;
  readonly depth: number;
}

const UNKNOWN_KEY = /^cannot decode message (\S+) from JSON: key "(.*)" is unknown$/;

/** Finds where in `json` decoding failed, from the error protobuf-es threw. Linear in the JSON's size. */
function locate(root: DescMessage, json: JsonValue, error: unknown): FieldViolation {
  const cause = error instanceof Error ? error.cause : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (isFieldError(cause)) {
    const field = cause.field();
    const parent = field.kind === "field" ? field.parent : field.parent;
    const key = field.kind === "field" ? [field.jsonName, field.name] : field.fields.flatMap((f) => [f.jsonName, f.name]);
    const at = find(root, json, (place) => place.desc === parent && isObject(place.json) && key.some((k) => k in (place.json as object)));
    return { field: join(at?.path ?? "", field.name), description: cause.message };
  }
  const unknown = UNKNOWN_KEY.exec(message);
  if (unknown !== null) {
    const [, typeName, key] = unknown;
    const at = find(root, json, (place) => place.desc?.typeName === typeName && isObject(place.json) && key! in (place.json as object));
    return { field: join(at?.path ?? "", key!), description: `is not a field of ${typeName}: check the spelling (field names are lowerCamelCase or snake_case)` };
  }
  if (message.includes("maximum recursion depth")) {
    return { field: deepest(root, json)?.path || ROOT_FIELD, description: "is nested too deeply (protobuf's limit is 100 message levels): flatten the value" };
  }
  return { field: ROOT_FIELD, description: message.slice(0, 200) };
}

function isObject(json: JsonValue): boolean {
  return typeof json === "object" && json !== null && !Array.isArray(json);
}

function join(prefix: string, name: string): string {
  return prefix === "" ? name : name === "" ? prefix : `${prefix}.${name}`;
}

function fieldOf(desc: DescMessage, key: string): DescField | undefined {
  return desc.fields.find((f) => f.jsonName === key || f.name === key);
}

/** The places directly inside `place`, with their descriptors where the schema gives them. */
function children(place: Place): Place[] {
  const { desc, json, path, depth } = place;
  const out: Place[] = [];
  if (Array.isArray(json)) {
    json.forEach((item, i) => out.push({ desc, json: item, path: desc === undefined ? path : `${path}[${i}]`, depth: depth + 1 }));
    return out;
  }
  if (!isObject(json)) return out;
  for (const [key, value] of Object.entries(json as Record<string, JsonValue>)) {
    const field = desc === undefined ? undefined : fieldOf(desc, key);
    if (field === undefined) {
      out.push({ desc: undefined, json: value, path, depth: depth + 1 });
      continue;
    }
    const at = join(path, field.name);
    if (field.fieldKind === "message") out.push({ desc: field.message, json: value, path: at, depth: depth + 1 });
    else if (field.fieldKind === "list" && field.listKind === "message" && Array.isArray(value)) {
      value.forEach((item, i) => out.push({ desc: field.message, json: item, path: `${at}[${i}]`, depth: depth + 2 }));
    } else if (field.fieldKind === "map" && field.mapKind === "message" && isObject(value)) {
      for (const [k, v] of Object.entries(value as Record<string, JsonValue>)) {
        out.push({ desc: field.message, json: v, path: `${at}[${JSON.stringify(k)}]`, depth: depth + 2 });
      }
    } else out.push({ desc: undefined, json: value, path: at, depth: depth + 1 });
  }
  return out;
}

/** The first place (depth first) that `match` accepts. */
function find(root: DescMessage, json: JsonValue, match: (place: Place) => boolean): Place | undefined {
  const stack: Place[] = [{ desc: root, json, path: "", depth: 0 }];
  while (stack.length > 0) {
    const place = stack.pop()!;
    if (match(place)) return place;
    stack.push(...children(place).reverse());
  }
  return undefined;
}

/** The most deeply nested place. */
function deepest(root: DescMessage, json: JsonValue): Place | undefined {
  let best: Place | undefined;
  find(root, json, (place) => {
    if (best === undefined || place.depth > best.depth) best = place;
    return false;
  });
  return best;
}
