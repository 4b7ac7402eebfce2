import type { Struct, Value } from "@bufbuild/protobuf/wkt";
import type { TabularProfile } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { fieldPath } from "../common/field-path.js";
import { ANALYZER_LIMITS } from "../limits.js";
import { type JsonType, TabularBuilder } from "./tabular-builder.js";

/** How messages name a Value's kind. */
function describeKind(value: Value): string {
  switch (value.kind.case) {
    case "nullValue":
      return "null";
    case "numberValue":
      return "a number";
    case "stringValue":
      return "a string";
    case "boolValue":
      return "a bool";
    case "structValue":
      return "an object";
    case "listValue":
      return "a list";
    case undefined:
      return "an empty Value (no kind set)";
  }
}

function jsonType(value: Value): JsonType {
  switch (value.kind.case) {
    case "numberValue":
      return "number";
    case "stringValue":
      return "string";
    case "boolValue":
      return "bool";
    case "structValue":
      return "object";
    case "listValue":
      return "array";
    case "nullValue":
    case undefined:
      return "null";
  }
}

/** Records a row-level violation, up to the limit; returns how many were seen. */
class RowViolations {
  #count = 0;
  constructor(
    private readonly violations: Violations,
    private readonly path: string,
  ) {}

  add(field: string, description: string): void {
    this.#count++;
    if (this.#count <= ANALYZER_LIMITS.maxRowViolations) this.violations.add(field, description);
  }

  /** Adds the summary of the violations beyond the limit; true when there was any violation. */
  finish(what: string): boolean {
    const hidden = this.#count - ANALYZER_LIMITS.maxRowViolations;
    if (hidden > 0) this.violations.add(this.path, `${hidden} more ${what} (only the first ${ANALYZER_LIMITS.maxRowViolations} are listed)`);
    return this.#count > 0;
  }
}

/**
 * Profiles a `google.protobuf.Value` payload as a table: an object is one row, a list of objects is rows.
 * Adds a violation (under `path`) for a payload of another shape, for each element that is not an object,
 * for each non-finite number (JSON has none), and for more rows or distinct fields than {@link ANALYZER_LIMITS}
 * allow; returns undefined when it added any.
 */
export function tabularFromValue(value: Value, path: string, violations: Violations): TabularProfile | undefined {
  const rows = rowsOf(value, path, violations);
  if (rows === undefined) return undefined;
  const builder = new TabularBuilder();
  const bad = new RowViolations(violations, path);
  for (const [rowPath, row] of rows) {
    builder.addRow();
    for (const [key, cell] of Object.entries(row.fields)) {
      let measure = cell.kind.case === "listValue" ? cell.kind.value.values.length : 0;
      if (cell.kind.case === "numberValue") {
        measure = cell.kind.value;
        if (!Number.isFinite(measure)) {
          bad.add(fieldPath(rowPath, key), `is ${measure}; JSON numbers must be finite`);
          continue;
        }
      }
      if (!builder.addField(key, jsonType(cell), measure)) {
        violations.add(path, `has more than ${ANALYZER_LIMITS.maxFields} distinct field names; at most ${ANALYZER_LIMITS.maxFields} can be analysed`);
        return undefined;
      }
    }
  }
  return bad.finish("fields are not finite numbers") ? undefined : builder.build();
}

function rowsOf(value: Value, path: string, violations: Violations): Array<[string, Struct]> | undefined {
  if (value.kind.case === "structValue") return [[path, value.kind.value]];
  if (value.kind.case !== "listValue") {
    violations.add(path, `must be an object (one row) or a list of objects (rows), not ${describeKind(value)}`);
    return undefined;
  }
  const items = value.kind.value.values;
  if (items.length > ANALYZER_LIMITS.maxRows) {
    violations.add(path, `has ${items.length} rows; at most ${ANALYZER_LIMITS.maxRows} can be analysed: split the request`);
    return undefined;
  }
  const rows: Array<[string, Struct]> = [];
  const bad = new RowViolations(violations, path);
  items.forEach((item, i) => {
    if (item.kind.case === "structValue") rows.push([`${path}[${i}]`, item.kind.value]);
    else bad.add(`${path}[${i}]`, `must be an object (a row of named fields), not ${describeKind(item)}`);
  });
  return bad.finish("rows are not objects") ? undefined : rows;
}
