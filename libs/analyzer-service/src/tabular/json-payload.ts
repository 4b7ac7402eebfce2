import type { Value } from "@bufbuild/protobuf/wkt";
import { Modality } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { ANALYZER_LIMITS } from "../limits.js";
import { type ProfileParts, clampSize } from "../profile-parts.js";
import { tooDeepValue } from "./json-depth.js";
import { jsonValueSize } from "./json-size.js";
import { tabularFromValue } from "./json-value-table.js";

const PATH = "payload.json";

/**
 * Profiles `payload.json`, a `google.protobuf.Value`, as a table (see `tabularFromValue`), sized as its compact
 * JSON text. A value that nests objects and lists deeper than {@link ANALYZER_LIMITS.maxJsonDepth} levels is a
 * violation naming the first container too deep, for example `payload.json[0]["a"]…`; the check looks no deeper
 * than the limit, so a value nested a million levels costs no more than one nested just over it.
 */
export function profileJsonValue(value: Value, violations: Violations): ProfileParts | undefined {
  const limit = ANALYZER_LIMITS.maxJsonDepth;
  const tooDeep = tooDeepValue(value, PATH, limit);
  if (tooDeep !== undefined) {
    violations.add(tooDeep, `is nested ${limit + 1} levels deep; JSON payloads may nest objects and lists ${limit} levels deep at most: flatten it`);
    return undefined;
  }
  const tabular = tabularFromValue(value, PATH, violations);
  if (tabular === undefined) return undefined;
  return { modality: Modality.TABULAR, mimeType: "application/json", sizeBytes: clampSize(jsonValueSize(value)), tabular, warnings: [] };
}
