import type { Value } from "@bufbuild/protobuf/wkt";
import { fieldPath } from "../common/field-path.js";

/**
 * The path, under `base`, of the first object or list of a `google.protobuf.Value` that is nested deeper than
 * `limit` levels (the value itself is level 1), or undefined when none is. Looks no deeper than `limit` + 1
 * levels and at each value at most once, so neither the work nor the recursion grows with the nesting.
 */
export function tooDeepValue(value: Value, base: string, limit: number): string | undefined {
  const visit = (node: Value, path: string, depth: number): string | undefined => {
    const kind = node.kind;
    if (kind.case !== "structValue" && kind.case !== "listValue") return undefined;
    if (depth > limit) return path;
    if (kind.case === "structValue") {
      for (const [key, child] of Object.entries(kind.value.fields)) {
        const found = visit(child, fieldPath(path, key), depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    const items = kind.value.values;
    for (let i = 0; i < items.length; i++) {
      const found = visit(items[i] as Value, `${path}[${i}]`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(value, base, 1);
}

/**
 * True when JSON text nests objects and lists deeper than `limit` levels, judged by counting brackets outside
 * strings, before the text is parsed. One pass that stops at the first bracket too deep: the parser is never
 * given text whose nesting alone would cost it more than the text's size (a million nested lists).
 */
export function jsonTextTooDeep(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
