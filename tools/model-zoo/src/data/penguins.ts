import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createRng } from "../rng.js";
import { splitPayloads, type LabelledPayload, type PayloadDataset } from "./payload.js";

/** The species, in output order. */
export const PENGUIN_SPECIES = ["Adelie", "Chinstrap", "Gentoo"] as const;
/** The islands (a category feature). */
export const PENGUIN_ISLANDS = ["Biscoe", "Dream", "Torgersen"] as const;
/** The sexes as the data spells them (a category feature; "." and null are missing). */
export const PENGUIN_SEXES = ["FEMALE", "MALE"] as const;
/** The numeric measurements, as the record's field names. */
export const PENGUIN_MEASURES = ["beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"] as const;
/** Seed of the split. */
export const PENGUINS_SPLIT_SEED = 20261209;
/** Share of the rows held out. */
export const PENGUINS_TEST_FRACTION = 0.3;

const SOURCE_FIELDS: Readonly<Record<(typeof PENGUIN_MEASURES)[number], string>> = {
  beak_length_mm: "Beak Length (mm)",
  beak_depth_mm: "Beak Depth (mm)",
  flipper_length_mm: "Flipper Length (mm)",
  body_mass_g: "Body Mass (g)",
};

/** The `penguins.json` file of the npm package `vega-datasets`. */
export function penguinsJson(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("vega-datasets")), "..", "data", "penguins.json");
}

/**
 * The Palmer penguins (vega-datasets) as JSON records `{island, sex, beak_length_mm, beak_depth_mm,
 * flipper_length_mm, body_mass_g}` labelled by species, split 70/30 with a seeded shuffle. Every row is kept:
 * a missing measurement is `null` and an unknown sex ("." or null) is left out of the record, both covered by
 * the model's MissingValue rules.
 */
export function loadPenguinsDataset(path = penguinsJson()): PayloadDataset {
  const rows = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>[];
  let incomplete = 0;
  const items: LabelledPayload[] = rows.map((row, r) => {
    const label = PENGUIN_SPECIES.indexOf(row["Species"] as (typeof PENGUIN_SPECIES)[number]);
    if (label < 0) throw new Error(`${path}: row ${r} has an unknown species ${JSON.stringify(row["Species"])}`);
    const record: Record<string, unknown> = { island: row["Island"] };
    for (const measure of PENGUIN_MEASURES) {
      const value = row[SOURCE_FIELDS[measure]];
      record[measure] = typeof value === "number" ? value : null;
    }
    const sex = row["Sex"];
    if (sex === "MALE" || sex === "FEMALE") record["sex"] = sex;
    if (Object.values(record).some((v) => v === null) || record["sex"] === undefined) incomplete++;
    return { payload: { json: record }, label };
  });
  const { train, test } = splitPayloads(items, PENGUINS_TEST_FRACTION, createRng(PENGUINS_SPLIT_SEED).shuffle);
  return {
    name: "penguins",
    classes: PENGUIN_SPECIES,
    train,
    test,
    description:
      `The Palmer penguins from the npm package \`vega-datasets\` (\`data/penguins.json\`): ${items.length} birds of three species, ` +
      `four measurements, island and sex, sent as JSON records \`{island, sex, beak_length_mm, beak_depth_mm, flipper_length_mm, body_mass_g}\`. ` +
      `All rows are kept: ${incomplete} have a missing measurement (null) or an unknown sex (absent), covered by the MissingValue rules. ` +
      `Fixed split: a mulberry32 shuffle with seed ${PENGUINS_SPLIT_SEED}, ${Math.round(PENGUINS_TEST_FRACTION * 100)} % held out ` +
      `(${test.length} rows), ${train.length} for training.`,
  };
}
