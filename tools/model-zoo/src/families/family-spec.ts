import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Modality, PreprocessingSchema } from "@modelrouter/contracts";
import type { PayloadDataset } from "../data/payload.js";
import type { Network } from "../layers/network.js";
import type { Rng } from "../rng.js";

/** The model families beyond the digit images; `--only` takes these names (and "digits"). */
export const FAMILIES = ["text", "tabular", "sensor", "audio"] as const;
/** One of {@link FAMILIES}. */
export type Family = (typeof FAMILIES)[number];

/** The labelled payload datasets the families train on. */
export type FamilyDataset = "udhr" | "fortunes" | "breast-cancer" | "penguins" | "vibration" | "spoken-digits";

/** How a family model is trained: Adam on softmax cross-entropy, seeded. */
export interface FamilyTraining {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Multiplies the learning rate after every epoch. */
  readonly learningRateDecay: number;
  readonly initSeed: number;
  readonly shuffleSeed: number;
  /**
   * Standardise every input column with the training split's mean and standard deviation while training,
   * then fold that into the first dense layer, so that the exported model takes the preprocessing's output.
   */
  readonly standardise: boolean;
}

/** Everything that defines one model of a family: catalogue identity, input contract, network and training. */
export interface FamilyModelSpec {
  readonly name: string;
  readonly family: Family;
  readonly description: string;
  /** One-paragraph architecture summary for the model card. */
  readonly architecture: string;
  readonly task: string;
  readonly modality: Modality;
  readonly labels: Readonly<Record<string, string>>;
  readonly dataset: FamilyDataset;
  /** The held-out set's name, as `metrics.dataset` and `samples/eval/<name>.json.gz`. */
  readonly evaluationSet: string;
  /**
   * The catalogue's preprocessing, from the dataset (tabular standardisation uses the training split's mean and
   * standard deviation): the executor's functions make the model's inputs from it.
   */
  readonly preprocessing: (data: PayloadDataset) => MessageInitShape<typeof PreprocessingSchema>;
  /**
   * "softmax": one logit per class, classification with softmax. "binary-logit": trained with two logits, exported
   * as their difference, one logit [1, 1] whose sigmoid is the second class's probability.
   */
  readonly output: "softmax" | "binary-logit";
  readonly intendedUse: string;
  readonly limits: readonly string[];
  /** Builds the untrained network for inputs of `sampleShape` and `classes` outputs. */
  readonly network: (rng: Rng, sampleShape: readonly number[], classes: number) => Network;
  readonly training: FamilyTraining;
}
