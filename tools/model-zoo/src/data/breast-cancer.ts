import { existsSync, readFileSync } from "node:fs";
import { createRng } from "../rng.js";
import { splitPayloads, type LabelledPayload, type PayloadDataset } from "./payload.js";

/** scikit-learn's copy of the Wisconsin diagnostic breast cancer data (Debian package python3-sklearn). */
export const BREAST_CANCER_CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";
/** The class labels in output order: benign (negative), malignant (positive). */
export const BREAST_CANCER_CLASSES = ["benign", "malignant"] as const;
/** Seed of the split. */
export const BREAST_CANCER_SPLIT_SEED = 20261208;
/** Share of the rows held out. */
export const BREAST_CANCER_TEST_FRACTION = 0.3;

const MEASURES = [
  "radius",
  "texture",
  "perimeter",
  "area",
  "smoothness",
  "compactness",
  "concavity",
  "concave_points",
  "symmetry",
  "fractal_dimension",
];

/** The 30 feature names in CSV column order, snake_case: mean_radius … radius_error … worst_fractal_dimension. */
export const BREAST_CANCER_FEATURES: readonly string[] = [
  ...MEASURES.map((m) => `mean_${m}`),
  ...MEASURES.map((m) => `${m}_error`),
  ...MEASURES.map((m) => `worst_${m}`),
];

/**
 * The 569 rows as JSON records keyed by {@link BREAST_CANCER_FEATURES}, split 70/30 with a seeded shuffle.
 * The CSV codes the target 0 = malignant, 1 = benign (its header names them in that order); here class 0 is
 * benign and 1 malignant, so a single logit scores "malignant".
 */
export function loadBreastCancerDataset(csvPath = BREAST_CANCER_CSV): PayloadDataset {
  if (!existsSync(csvPath)) {
    throw new Error(`${csvPath} not found: install it with "apt-get install -y --no-install-recommends python3-sklearn"`);
  }
  const [header, ...rows] = readFileSync(csvPath, "utf8").trim().split("\n");
  if (header === undefined || !header.startsWith("569,30,malignant,benign")) {
    throw new Error(`${csvPath}: expected the header "569,30,malignant,benign", got ${JSON.stringify(header)}`);
  }
  const items: LabelledPayload[] = rows.map((line, r) => {
    const cells = line.split(",").map(Number);
    if (cells.length !== 31 || cells.some((v) => !Number.isFinite(v))) throw new Error(`${csvPath}: row ${r + 2} is not 31 numbers`);
    const record = Object.fromEntries(BREAST_CANCER_FEATURES.map((name, i) => [name, cells[i] as number]));
    return { payload: { json: record }, label: cells[30] === 0 ? 1 : 0 };
  });
  const { train, test } = splitPayloads(items, BREAST_CANCER_TEST_FRACTION, createRng(BREAST_CANCER_SPLIT_SEED).shuffle);
  const malignant = items.filter((i) => i.label === 1).length;
  return {
    name: "breast-cancer",
    classes: BREAST_CANCER_CLASSES,
    train,
    test,
    description:
      `The Wisconsin diagnostic breast cancer data as shipped by scikit-learn (\`${csvPath}\`, Debian python3-sklearn; ` +
      `read as plain CSV): ${items.length} tumours, 30 numeric measurements each (mean, standard error and worst of ten ` +
      `cell-nucleus measures), ${malignant} malignant and ${items.length - malignant} benign. Each row is sent as a JSON record ` +
      `with snake_case names (\`mean_radius\`, …, \`worst_concave_points\`). Fixed split: a mulberry32 shuffle with seed ` +
      `${BREAST_CANCER_SPLIT_SEED}, ${Math.round(BREAST_CANCER_TEST_FRACTION * 100)} % held out (${test.length} rows), ${train.length} for training.`,
  };
}
