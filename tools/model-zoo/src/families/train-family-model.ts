import type { Logger } from "@modelrouter/telemetry";
import type { Network } from "../layers/network.js";
import { createRng } from "../rng.js";
import { train, type EpochReport, type FeatureSet } from "../train/trainer.js";
import { toBinaryLogit } from "./binary-logit.js";
import type { FamilyModelSpec } from "./family-spec.js";
import { columnStats, foldStandardisation, standardise } from "./fold-standardisation.js";

/** A trained family model, ready to export: it takes the preprocessing's output as it is. */
export interface TrainedFamilyModel {
  readonly network: Network;
  readonly epochs: readonly EpochReport[];
  readonly seconds: number;
  readonly trainSamples: number;
}

/**
 * Trains `spec`'s network on `set` (the training split's features) with its seeds: standardised columns if the
 * spec asks (folded back into the first layer afterwards), and two logits turned into one for binary models.
 */
export function trainFamilyModel(spec: FamilyModelSpec, set: FeatureSet, classes: number, logger: Logger): TrainedFamilyModel {
  const t = spec.training;
  const network = spec.network(createRng(t.initSeed), set.sampleShape, classes);
  const stats = t.standardise ? columnStats(set) : undefined;
  const report = train(network, stats === undefined ? set : standardise(set, stats), {
    epochs: t.epochs,
    batchSize: t.batchSize,
    learningRate: t.learningRate,
    learningRateDecay: t.learningRateDecay,
    rng: createRng(t.shuffleSeed),
    onEpoch: (e) => logger.info("epoch", { model: spec.name, ...e }),
  });
  if (stats !== undefined) foldStandardisation(network, stats);
  return {
    network: spec.output === "binary-logit" ? toBinaryLogit(network) : network,
    epochs: report.epochs,
    seconds: report.seconds,
    trainSamples: set.count,
  };
}
