import type { MessageInitShape } from "@bufbuild/protobuf";
import { FeatureType, MissingValue, Modality, type PreprocessingSchema } from "@modelrouter/contracts";
import { BREAST_CANCER_FEATURES } from "../data/breast-cancer.js";
import type { PayloadDataset } from "../data/payload.js";
import { PENGUIN_ISLANDS, PENGUIN_MEASURES, PENGUIN_SEXES } from "../data/penguins.js";
import { createPerceptron, describePerceptron } from "./architectures.js";
import type { FamilyModelSpec } from "./family-spec.js";
import { fieldStats } from "./field-stats.js";

const BREAST_CANCER_LARGE_HIDDEN = [512, 256];
const PENGUIN_HIDDEN = [16];

/** The 30 measurements, each standardised with the training split's mean and std; a missing one is refused. */
function breastCancerPreprocessing(data: PayloadDataset): MessageInitShape<typeof PreprocessingSchema> {
  return {
    kind: {
      case: "tabular",
      value: {
        features: BREAST_CANCER_FEATURES.map((name) => ({ name, type: FeatureType.NUMBER, ...fieldStats(data.train, name), missing: MissingValue.UNSPECIFIED })),
      },
    },
  };
}

/** Four measurements (standardised, a missing one becomes the mean), island and sex one-hot (unknown sex: no column). */
function penguinPreprocessing(data: PayloadDataset): MessageInitShape<typeof PreprocessingSchema> {
  return {
    kind: {
      case: "tabular",
      value: {
        features: [
          ...PENGUIN_MEASURES.map((name) => ({ name, type: FeatureType.NUMBER, ...fieldStats(data.train, name), missing: MissingValue.MEAN })),
          { name: "island", type: FeatureType.CATEGORY, categories: [...PENGUIN_ISLANDS], missing: MissingValue.MEAN },
          { name: "sex", type: FeatureType.CATEGORY, categories: [...PENGUIN_SEXES], missing: MissingValue.MEAN },
        ],
      },
    },
  };
}

const BREAST_CANCER_LIMITS = [
  "569 tumours from one clinic (Wisconsin, early 1990s); a research data set, not a diagnostic device.",
  "Every one of the 30 measurements is required, in the units of the original data (for example mean_area in square pixels of the digitised image).",
];

/** The tabular models: breast cancer (a small and a much larger one that is no better) and penguin species. */
export const TABULAR_MODELS: readonly FamilyModelSpec[] = [
  {
    name: "tabular-breast-cancer",
    family: "tabular",
    description: "Breast tumour diagnosis (benign or malignant) from 30 cell-nucleus measurements: logistic regression",
    architecture: "Logistic regression 30 → 1 (a single logit; the sigmoid gives P(malignant))",
    task: "breast-cancer-diagnosis",
    modality: Modality.TABULAR,
    labels: { domain: "medical", size: "small" },
    dataset: "breast-cancer",
    evaluationSet: "breast-cancer-test",
    preprocessing: breastCancerPreprocessing,
    output: "binary-logit",
    intendedUse: "The default model for breast-cancer-diagnosis records: tiny, fast and as accurate as the large variant on the held-out set.",
    limits: BREAST_CANCER_LIMITS,
    network: (rng, shape, classes) => createPerceptron(rng, shape, classes, { hidden: [] }),
    training: { epochs: 60, batchSize: 16, learningRate: 0.01, learningRateDecay: 0.97, initSeed: 2101, shuffleSeed: 2102, standardise: false },
  },
  {
    name: "tabular-breast-cancer-large",
    family: "tabular",
    description: "Breast tumour diagnosis (benign or malignant) from 30 measurements: a much larger MLP that is not more accurate",
    architecture: `${describePerceptron([30], 2, BREAST_CANCER_LARGE_HIDDEN)}, exported as a single logit (the difference of the two output rows)`,
    task: "breast-cancer-diagnosis",
    modality: Modality.TABULAR,
    labels: { domain: "medical", size: "large" },
    dataset: "breast-cancer",
    evaluationSet: "breast-cancer-test",
    preprocessing: breastCancerPreprocessing,
    output: "binary-logit",
    intendedUse:
      "A cost-aware routing demo: thousands of times more parameters than tabular-breast-cancer for no gain on the held-out set. Route to the small model unless a policy has a reason.",
    limits: [...BREAST_CANCER_LIMITS, "Over-parameterised for 398 training rows: it fits the training split perfectly and generalises no better than logistic regression."],
    network: (rng, shape, classes) => createPerceptron(rng, shape, classes, { hidden: BREAST_CANCER_LARGE_HIDDEN }),
    training: { epochs: 80, batchSize: 16, learningRate: 0.001, learningRateDecay: 0.98, initSeed: 2201, shuffleSeed: 2202, standardise: false },
  },
  {
    name: "tabular-penguins",
    family: "tabular",
    description: "Penguin species (Adelie, Chinstrap, Gentoo) from beak, flipper and body measurements, island and sex",
    architecture: describePerceptron([9], 3, PENGUIN_HIDDEN),
    task: "penguin-species",
    modality: Modality.TABULAR,
    labels: { domain: "ecology", size: "small" },
    dataset: "penguins",
    evaluationSet: "penguins-test",
    preprocessing: penguinPreprocessing,
    output: "softmax",
    intendedUse: "Species of a Palmer Archipelago penguin from field measurements; missing measurements and an unknown sex are accepted.",
    limits: [
      "Three species from three islands of the Palmer Archipelago (Antarctica) only.",
      "A record with no measurement at all is classified from island and sex alone.",
    ],
    network: (rng, shape, classes) => createPerceptron(rng, shape, classes, { hidden: PENGUIN_HIDDEN }),
    training: { epochs: 100, batchSize: 16, learningRate: 0.01, learningRateDecay: 0.98, initSeed: 2301, shuffleSeed: 2302, standardise: false },
  },
];
