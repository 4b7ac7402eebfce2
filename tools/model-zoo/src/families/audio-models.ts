import { Modality } from "@modelrouter/contracts";
import { SPOKEN_DIGIT_RATE_HZ } from "../data/spoken-digits.js";
import { createPerceptron, describePerceptron } from "./architectures.js";
import type { FamilyModelSpec } from "./family-spec.js";

const HIDDEN = [128];
const MEL_BANDS = 32;
/** Frames of 25 ms every 10 ms in 1 s, as `audioFrames` counts them (the card also prints the input shape the build made). */
const FRAMES = 98;

/** The audio model: spoken digits from log-mel frames. */
export const AUDIO_MODELS: readonly FamilyModelSpec[] = [
  {
    name: "audio-spoken-digits",
    family: "audio",
    description: 'Spoken digit ("zero"–"nine") in a 1 s WAV clip: MLP over log-mel frames',
    architecture: `${describePerceptron([1, FRAMES, MEL_BANDS], 10, HIDDEN)}; the training split's per-value standardisation is folded into the first layer`,
    task: "spoken-digit-classification",
    modality: Modality.AUDIO,
    labels: { domain: "speech", size: "small" },
    dataset: "spoken-digits",
    evaluationSet: "spoken-digits-test",
    preprocessing: () => ({
      kind: { case: "audio", value: { sampleRateHz: SPOKEN_DIGIT_RATE_HZ, durationMs: 1000, frameMs: 25, hopMs: 10, melBands: MEL_BANDS } },
    }),
    output: "softmax",
    intendedUse: "One English digit word per clip (WAV, any sample rate: it is resampled to 8 kHz and fitted to 1 s).",
    limits: [
      "Trained on synthetic espeak-ng voices only: real human speech, accents and recording conditions are out of its domain.",
      "One word per clip, within the first second; no reject option (silence or other words still get a digit).",
    ],
    network: (rng, shape, classes) => createPerceptron(rng, shape, classes, { hidden: HIDDEN }),
    training: { epochs: 30, batchSize: 32, learningRate: 0.001, learningRateDecay: 0.93, initSeed: 4101, shuffleSeed: 4102, standardise: true },
  },
];
