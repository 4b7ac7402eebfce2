import { Modality, SeriesRepresentation } from "@modelrouter/contracts";
import { VIBRATION_SAMPLES } from "../data/vibration.js";
import { createPerceptron, describePerceptron } from "./architectures.js";
import type { FamilyModelSpec } from "./family-spec.js";

const SPECTRUM_BINS = 128;
const SPECIALIST_HIDDEN = [64];
const GENERAL_HIDDEN = [32];

const SENSOR_LIMITS = [
  "Trained on synthetic signals only (see Data): a demonstration of routing sensor data to a specialist, not a validated condition monitor.",
  "Expects 256 samples at 1 kHz; a shorter series is padded with its last value, a longer one cut.",
];

/** The machine-fault models: a spectrum specialist and a general model over summary statistics. */
export const SENSOR_MODELS: readonly FamilyModelSpec[] = [
  {
    name: "sensor-fault-specialist",
    family: "sensor",
    description: "Machine fault from a vibration record (normal, imbalance, misalignment, bearing fault): MLP over the signal's spectrum",
    architecture: `${describePerceptron([SPECTRUM_BINS], 4, SPECIALIST_HIDDEN)}; the training split's per-bin standardisation is folded into the first layer`,
    task: "machine-fault",
    modality: Modality.TABULAR,
    labels: { domain: "sensor", kind: "specialist" },
    dataset: "vibration",
    evaluationSet: "vibration-test",
    preprocessing: () => ({
      kind: {
        case: "series",
        value: { field: "samples", length: VIBRATION_SAMPLES, representation: SeriesRepresentation.SPECTRUM, bins: SPECTRUM_BINS },
      },
    }),
    output: "softmax",
    intendedUse: 'Vibration records `{"sensor": "vibration", "sample_rate_hz": 1000, "samples": [256 numbers]}`: the model to route sensor data to.',
    limits: SENSOR_LIMITS,
    network: (rng, shape, classes) => createPerceptron(rng, shape, classes, { hidden: SPECIALIST_HIDDEN }),
    training: { epochs: 40, batchSize: 32, learningRate: 0.003, learningRateDecay: 0.95, initSeed: 3101, shuffleSeed: 3102, standardise: true },
  },
  {
    name: "sensor-fault-general",
    family: "sensor",
    description: "Machine fault from a vibration record, seen as a general tabular model sees it: ten summary statistics, MLP",
    architecture: `${describePerceptron([10], 4, GENERAL_HIDDEN)}; the training split's per-column standardisation is folded into the first layer`,
    task: "machine-fault",
    modality: Modality.TABULAR,
    labels: { domain: "sensor", kind: "general" },
    dataset: "vibration",
    evaluationSet: "vibration-test",
    preprocessing: () => ({
      kind: { case: "series", value: { field: "samples", length: VIBRATION_SAMPLES, representation: SeriesRepresentation.STATISTICS } },
    }),
    output: "softmax",
    intendedUse:
      "The baseline a generic tabular model gives on sensor records (mean, std, min, max, RMS, peak-to-peak, skewness, kurtosis, zero-crossing rate, crest factor): a fallback when the specialist is unavailable.",
    limits: [...SENSOR_LIMITS, "Summary statistics lose the frequencies: imbalance (1×) and misalignment (2×) are often confused."],
    network: (rng, shape, classes) => createPerceptron(rng, shape, classes, { hidden: GENERAL_HIDDEN }),
    training: { epochs: 60, batchSize: 32, learningRate: 0.003, learningRateDecay: 0.97, initSeed: 3201, shuffleSeed: 3202, standardise: true },
  },
];
