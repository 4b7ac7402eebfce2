import type { Value } from "@bufbuild/protobuf/wkt";

/** Bytes of a string in compact JSON: quotes, escapes (as `JSON.stringify` writes them) and UTF-8. */
export function jsonStringSize(text: string): number {
  let size = 2;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) size += 2;
    else if (c < 0x20) size += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    else if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && isLowSurrogate(text.charCodeAt(i + 1))) {
      size += 4;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) size += 6;
    else size += 3;
  }
  return size;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * The size in bytes of a `google.protobuf.Value` as compact JSON text in UTF-8, which is what
 * `JSON.stringify(toJson(ValueSchema, value))` would produce, computed without building it. Iterative, so a
 * deeply nested value cannot overflow the stack. A non-finite number or an unset kind counts as `null`.
 */
export function jsonValueSize(value: Value): number {
  let size = 0;
  const stack: Value[] = [value];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const kind = next.kind;
    switch (kind.case) {
      case "boolValue":
        size += kind.value ? 4 : 5;
        break;
      case "numberValue":
        size += Number.isFinite(kind.value) ? String(kind.value).length : 4;
        break;
      case "stringValue":
        size += jsonStringSize(kind.value);
        break;
      case "structValue": {
        const keys = Object.keys(kind.value.fields);
        size += 2 + Math.max(0, keys.length - 1) + keys.length;
        for (const key of keys) {
          size += jsonStringSize(key);
          const field = kind.value.fields[key];
          if (field !== undefined) stack.push(field);
        }
        break;
      }
      case "listValue":
        size += 2 + Math.max(0, kind.value.values.length - 1);
        for (const item of kind.value.values) stack.push(item);
        break;
      case "nullValue":
      case undefined:
        size += 4;
        break;
    }
  }
  return size;
}
