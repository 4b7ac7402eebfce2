import type { JsonValue } from "@bufbuild/protobuf";
import type { Value } from "@bufbuild/protobuf/wkt";

/**
 * The plain JSON of a `google.protobuf.Value` (a `payload.json`), for the worker. Objects are built with
 * `Object.fromEntries`, so that a key such as `__proto__` is an own field like any other. A non-finite number
 * stays as it is, for the pre-processing to refuse by name. The transport already bounds the nesting depth.
 */
export function jsonOf(value: Value): JsonValue {
  const kind = value.kind;
  switch (kind.case) {
    case "numberValue":
    case "stringValue":
    case "boolValue":
      return kind.value;
    case "structValue":
      return Object.fromEntries(Object.entries(kind.value.fields).map(([key, item]) => [key, jsonOf(item)]));
    case "listValue":
      return kind.value.values.map(jsonOf);
    default:
      return null;
  }
}
