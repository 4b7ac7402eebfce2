import type { TabularProfile } from "@modelrouter/contracts";
import { ANALYZER_LIMITS } from "../limits.js";
import { jsonTextTooDeep } from "./json-depth.js";
import { type JsonType, TabularBuilder } from "./tabular-builder.js";

/**
 * What JSON found in text or bytes amounts to: a table, not a table, a table beyond the limits, or text nested
 * too deeply to be parsed as a table at all.
 */
export type JsonTextTable =
  | { readonly kind: "table"; readonly profile: TabularProfile }
  | { readonly kind: "not-a-table" }
  | { readonly kind: "too-large"; readonly problem: string }
  | { readonly kind: "too-deep"; readonly warning: string };

function isWhiteSpaceUnit(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** True when the first non-white-space character is `{` or `[`: worth trying to parse as JSON. */
export function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isWhiteSpaceUnit(c)) return c === 0x7b || c === 0x5b;
  }
  return false;
}

/** {@link looksLikeJson} on UTF-8 bytes, without decoding them. */
export function looksLikeJsonBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (!isWhiteSpaceUnit(c)) return c === 0x7b || c === 0x5b;
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonType(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "number":
      return "number";
    case "string":
      return "string";
    case "boolean":
      return "bool";
    default:
      return "object";
  }
}

/** JSON text such as `1e400` parses to Infinity; statistics take it as the largest finite number instead. */
function finite(value: number): number {
  if (Number.isFinite(value)) return value;
  return value > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
}

/**
 * Parses text as JSON and profiles it as a table when it is an object (one row) or a list of objects (rows).
 * Text that nests objects and lists deeper than {@link ANALYZER_LIMITS.maxJsonDepth} levels is not parsed
 * ("too-deep"); anything else that is not a table, including text that does not parse, is "not-a-table".
 */
export function tabularFromJsonText(text: string): JsonTextTable {
  if (jsonTextTooDeep(text, ANALYZER_LIMITS.maxJsonDepth)) {
    return {
      kind: "too-deep",
      warning: `looks like JSON nested more than ${ANALYZER_LIMITS.maxJsonDepth} levels deep, more than a table is analysed; profiled as text`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: "not-a-table" };
  }
  let rows: readonly unknown[];
  if (isRecord(parsed)) rows = [parsed];
  else if (Array.isArray(parsed) && parsed.every(isRecord)) rows = parsed;
  else return { kind: "not-a-table" };
  if (rows.length > ANALYZER_LIMITS.maxRows) {
    return { kind: "too-large", problem: `is JSON with ${rows.length} rows; at most ${ANALYZER_LIMITS.maxRows} can be analysed: split the request` };
  }
  const builder = new TabularBuilder();
  for (const row of rows as ReadonlyArray<Record<string, unknown>>) {
    builder.addRow();
    for (const key of Object.keys(row)) {
      const value = row[key];
      const measure = typeof value === "number" ? finite(value) : Array.isArray(value) ? value.length : 0;
      if (!builder.addField(key, jsonType(value), measure)) {
        return {
          kind: "too-large",
          problem: `is JSON with more than ${ANALYZER_LIMITS.maxFields} distinct field names; at most ${ANALYZER_LIMITS.maxFields} can be analysed`,
        };
      }
    }
  }
  return { kind: "table", profile: builder.build() };
}
