import { Modality } from "@modelrouter/contracts";
import { createPerceptron, describePerceptron } from "./architectures.js";
import type { FamilyModelSpec } from "./family-spec.js";

const LANGID_BUCKETS = 4096;
const TOPIC_LITE_BUCKETS = 1024;
const TOPIC_BUCKETS = 8192;
const TOPIC_HIDDEN = [64];

/** The text models: language identification and a cheap and a stronger topic classifier. */
export const TEXT_MODELS: readonly FamilyModelSpec[] = [
  {
    name: "text-langid",
    family: "text",
    description: "Language identification of a sentence: 15 European languages from hashed character 1–3-grams",
    architecture: describePerceptron([LANGID_BUCKETS], 15, []),
    task: "language-identification",
    modality: Modality.TEXT,
    labels: { domain: "language", size: "small" },
    dataset: "udhr",
    evaluationSet: "udhr-sentences-test",
    preprocessing: () => ({
      kind: {
        case: "text",
        value: { charNgramMin: 1, charNgramMax: 3, buckets: LANGID_BUCKETS, sublinearTf: true, l2Normalize: true, maxChars: 1000 },
      },
    }),
    output: "softmax",
    intendedUse:
      "Routing text by language: a sentence or more of running text in one of its 15 languages (ISO 639-1 labels en, de, nl, sv, da, nb, fr, es, it, pt, pl, tr, ru, uk, el).",
    limits: [
      "Trained on one formal legal text (the UDHR) only: informal, technical or very short text (a few words) is less reliable.",
      "Closed set: text in any other language still gets one of the 15 labels; check the top score.",
      "Danish and Norwegian Bokmål, nearly identical in writing, are where almost all of its errors are (see the per-class table); the other close pairs (ru/uk, es/pt/it, de/nl) are separated well on this data.",
    ],
    network: (rng, shape, classes) => createPerceptron(rng, shape, classes, { hidden: [], sparseInputs: true }),
    training: { epochs: 30, batchSize: 16, learningRate: 0.05, learningRateDecay: 0.93, initSeed: 1101, shuffleSeed: 1102, standardise: false },
  },
  {
    name: "text-topic-lite",
    family: "text",
    description: "Cheap topic classifier (computers, politics, science, food, sports, medicine): hashed word counts, softmax regression",
    architecture: describePerceptron([TOPIC_LITE_BUCKETS], 6, []),
    task: "topic-classification",
    modality: Modality.TEXT,
    labels: { domain: "topic", size: "small" },
    dataset: "fortunes",
    evaluationSet: "fortunes-topics-test",
    preprocessing: () => ({
      kind: { case: "text", value: { wordNgramMin: 1, wordNgramMax: 1, buckets: TOPIC_LITE_BUCKETS } },
    }),
    output: "softmax",
    intendedUse: "A cheap first guess at the topic of a short English text (free tier, high volume); text-topic is more accurate.",
    limits: [
      "Trained on 2,000-odd Debian fortunes (quotes, jokes, slogans): topics overlap and the classes are unbalanced (computers is the largest).",
      "Six topics only; text about anything else still gets one of them.",
      "Word counts without weighting: long texts dominate by length.",
    ],
    network: (rng, shape, classes) => createPerceptron(rng, shape, classes, { hidden: [], sparseInputs: true }),
    training: { epochs: 20, batchSize: 32, learningRate: 0.01, learningRateDecay: 0.9, initSeed: 1201, shuffleSeed: 1202, standardise: false },
  },
  {
    name: "text-topic",
    family: "text",
    description: "Topic classifier (computers, politics, science, food, sports, medicine): word 1–2-grams and character 2–4-grams, MLP",
    architecture: describePerceptron([TOPIC_BUCKETS], 6, TOPIC_HIDDEN),
    task: "topic-classification",
    modality: Modality.TEXT,
    labels: { domain: "topic", size: "medium" },
    dataset: "fortunes",
    evaluationSet: "fortunes-topics-test",
    preprocessing: () => ({
      kind: {
        case: "text",
        value: {
          charNgramMin: 2,
          charNgramMax: 4,
          wordNgramMin: 1,
          wordNgramMax: 2,
          buckets: TOPIC_BUCKETS,
          sublinearTf: true,
          l2Normalize: true,
        },
      },
    }),
    output: "softmax",
    intendedUse: "The default topic classifier for short English texts; more accurate than text-topic-lite, larger and slower.",
    limits: [
      "Trained on 2,000-odd Debian fortunes (quotes, jokes, slogans): topics overlap and the classes are unbalanced (computers is the largest).",
      "Six topics only; text about anything else still gets one of them.",
    ],
    network: (rng, shape, classes) => createPerceptron(rng, shape, classes, { hidden: TOPIC_HIDDEN, sparseInputs: true }),
    training: { epochs: 15, batchSize: 32, learningRate: 0.002, learningRateDecay: 0.9, initSeed: 1301, shuffleSeed: 1302, standardise: false },
  },
];
