import { FeatureType, MissingValue, type TabularPreprocessing } from "@modelrouter/contracts";
import { type FieldViolation, Violations } from "@modelrouter/errors";
import {
  MAX_TABULAR_CATEGORIES,
  MAX_TABULAR_FEATURES,
  MAX_TABULAR_NAME_LENGTH,
  MAX_TABULAR_WIDTH,
} from "./limits.js";

/** What a record field that is absent or null becomes. */
export type MissingRule = "refuse" | "mean" | "zero";

/** One feature of a tabular spec, with every default resolved. */
export type TabularFeatureSpec =
  | {
      readonly type: "number";
      readonly name: string;
      readonly mean: number;
      /** Never 0 (0 is resolved to 1). */
      readonly std: number;
      readonly missing: MissingRule;
    }
  | { readonly type: "boolean"; readonly name: string; readonly missing: MissingRule; readonly mean: number }
  | { readonly type: "category"; readonly name: string; readonly categories: readonly string[]; readonly missing: MissingRule };

/** The tabular pre-processing of a model, with every default resolved. */
export interface TabularSpec {
  /** In the declared order: the order of the columns. */
  readonly features: readonly TabularFeatureSpec[];
}

/** How many faulty features (or categories of one feature) are reported one by one; the rest are counted in one more violation. */
const MAX_REPORTED_FEATURES = 10;

const missingRules: Readonly<Record<number, MissingRule>> = {
  [MissingValue.UNSPECIFIED]: "refuse",
  [MissingValue.MEAN]: "mean",
  [MissingValue.ZERO]: "zero",
};

/**
 * Checks a `TabularPreprocessing` and resolves its defaults (`std` 0 ⇒ 1). Returns the spec, or every problem
 * with its path relative to the `TabularPreprocessing` message (`features[2].categories`).
 */
export function compileTabularSpec(
  tabular: TabularPreprocessing,
): { readonly spec: TabularSpec } | { readonly violations: readonly FieldViolation[] } {
  const v = new Violations();
  if (tabular.features.length === 0) v.add("features", "is empty: declare the record's features in the model's input order");
  if (tabular.features.length > MAX_TABULAR_FEATURES) {
    v.add("features", `has ${tabular.features.length} features; at most ${MAX_TABULAR_FEATURES} are allowed`);
    return { violations: v.items };
  }
  const seen = new Map<string, number>();
  const features: TabularFeatureSpec[] = [];
  let faulty = 0;
  tabular.features.forEach((feature, i) => {
    const local = new Violations();
    const compiled = checkFeature(feature, i, seen, local);
    if (compiled !== undefined && local.empty) features.push(compiled);
    else if (++faulty <= MAX_REPORTED_FEATURES) v.addAll(`features[${i}]`, local.items);
  });
  if (faulty > MAX_REPORTED_FEATURES) {
    v.add("features", `${faulty - MAX_REPORTED_FEATURES} more features have problems like these: fix them too`);
  }
  const width = tabularWidth({ features });
  if (width > MAX_TABULAR_WIDTH) v.add("features", `make ${width} columns; at most ${MAX_TABULAR_WIDTH} are allowed`);
  return v.empty ? { spec: { features } } : { violations: v.items };
}

/** The tensor's width: one column per number or boolean, one per declared category. */
export function tabularWidth(spec: TabularSpec): number {
  return spec.features.reduce((n, f) => n + (f.type === "category" ? f.categories.length : 1), 0);
}

/** Checks one feature; problems are recorded relative to it (`name`, `categories[1]`). */
function checkFeature(
  feature: TabularPreprocessing["features"][number],
  index: number,
  seen: Map<string, number>,
  v: Violations,
): TabularFeatureSpec | undefined {
  if (feature.name === "") v.add("name", "is required: the record's field name, for example \"mean_radius\"");
  else if (feature.name.length > MAX_TABULAR_NAME_LENGTH) {
    v.add("name", `is ${feature.name.length} characters; at most ${MAX_TABULAR_NAME_LENGTH} are allowed`);
  } else if (seen.has(feature.name)) {
    v.add("name", `"${feature.name}" is declared twice (also features[${seen.get(feature.name) ?? 0}]): declare each field once`);
  } else seen.set(feature.name, index);
  const missing = missingRules[feature.missing];
  if (missing === undefined) v.add("missing", "must be MISSING_VALUE_UNSPECIFIED (refuse), MISSING_VALUE_MEAN or MISSING_VALUE_ZERO");
  for (const [key, value] of [["mean", feature.mean], ["std", feature.std]] as const) {
    if (!Number.isFinite(value)) v.add(key, "must be a finite number");
  }
  return compileFeature(feature.type, feature, missing ?? "refuse", v);
}

function compileFeature(
  type: FeatureType,
  feature: TabularPreprocessing["features"][number],
  missing: MissingRule,
  v: Violations,
): TabularFeatureSpec | undefined {
  const name = feature.name;
  if (type !== FeatureType.CATEGORY && feature.categories.length > 0) {
    v.add("categories", "applies to FEATURE_TYPE_CATEGORY only: remove it, or make the feature a category");
  }
  switch (type) {
    case FeatureType.NUMBER:
      if (feature.std < 0) v.add("std", `must be positive (0 means 1), not ${feature.std}`);
      return { type: "number", name, mean: feature.mean, std: feature.std === 0 ? 1 : feature.std, missing };
    case FeatureType.BOOLEAN:
      if (feature.std !== 0) v.add("std", "applies to numbers only: a boolean is 0 or 1; leave it 0");
      if (feature.mean < 0 || feature.mean > 1) {
        v.add("mean", `must be 0 to 1 for a boolean (the value a missing one takes with MISSING_VALUE_MEAN), not ${feature.mean}`);
      }
      return { type: "boolean", name, mean: feature.mean, missing };
    case FeatureType.CATEGORY:
      if (feature.mean !== 0 || feature.std !== 0) {
        v.add(feature.mean !== 0 ? "mean" : "std", "applies to numbers only: a category is one-hot; leave it 0");
      }
      checkCategories(feature.categories, v);
      return { type: "category", name, categories: [...feature.categories], missing };
    default:
      v.add("type", "is required: FEATURE_TYPE_NUMBER, FEATURE_TYPE_BOOLEAN or FEATURE_TYPE_CATEGORY");
      return undefined;
  }
}

function checkCategories(categories: readonly string[], v: Violations): void {
  if (categories.length === 0) {
    v.add("categories", "is empty: a FEATURE_TYPE_CATEGORY feature lists its categories, one column each");
    return;
  }
  if (categories.length > MAX_TABULAR_CATEGORIES) {
    v.add("categories", `has ${categories.length} categories; at most ${MAX_TABULAR_CATEGORIES} are allowed`);
    return;
  }
  const seen = new Set<string>();
  let faulty = 0;
  categories.forEach((category, j) => {
    let problem: string | undefined;
    if (category.length > MAX_TABULAR_NAME_LENGTH) problem = `is ${category.length} characters; at most ${MAX_TABULAR_NAME_LENGTH} are allowed`;
    else if (seen.has(category)) problem = `"${category}" is listed twice: list each category once`;
    seen.add(category);
    if (problem !== undefined && ++faulty <= MAX_REPORTED_FEATURES) v.add(`categories[${j}]`, problem);
  });
  if (faulty > MAX_REPORTED_FEATURES) v.add("categories", `${faulty - MAX_REPORTED_FEATURES} more categories have problems like these`);
}
