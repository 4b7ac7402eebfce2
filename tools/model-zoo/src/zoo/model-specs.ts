import { create } from "@bufbuild/protobuf";
import {
  ColorMode,
  ImagePreprocessingSchema,
  ModelStatus,
  TensorLayout,
  type ImagePreprocessing,
} from "@modelrouter/contracts";
import type { Network } from "../layers/network.js";
import type { Rng } from "../rng.js";
import { createDigitsCnn, createMlp } from "./architectures.js";

/** Which data a model is trained and evaluated on. */
export type DatasetKind = "mnist" | "lowres";

/** How a model is trained. Seeds make the run reproducible. */
export interface TrainingSpec {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Multiplies the learning rate after every epoch. */
  readonly learningRateDecay: number;
  /** Seeds the weight initialisation. */
  readonly initSeed: number;
  /** Seeds the per-epoch shuffles. */
  readonly shuffleSeed: number;
  /**
   * Training sees inputs × this factor (so that they lie in 0–1); after training it is folded into the first
   * layer's weights, so the exported model takes the inputs the preprocessing spec makes.
   */
  readonly inputScale: number;
}

/** How a degraded copy of another model is made: seeded Gaussian noise on every weight. */
export interface DegradationSpec {
  readonly from: string;
  readonly noiseSeed: number;
  /** The accuracy the copy should lose, as a fraction (0.10 = ten points), on a slice of the training split. */
  readonly targetDrop: number;
}

/** Everything that defines one zoo model: its catalogue identity, its input contract and how it is made. */
export interface ZooModelSpec {
  readonly name: string;
  readonly description: string;
  /** One-paragraph architecture summary for the model card. */
  readonly architecture: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: ModelStatus;
  readonly dataset: DatasetKind;
  readonly preprocessing: ImagePreprocessing;
  readonly intendedUse: string;
  readonly limits: readonly string[];
  /** Builds the untrained network. */
  readonly network: (rng: Rng) => Network;
  readonly make: { readonly kind: "train"; readonly training: TrainingSpec } | { readonly kind: "degrade"; readonly degradation: DegradationSpec };
}

/** Seeds of the fixed train/test splits. */
export const SPLIT_SEEDS = { mnist: 20240611, lowres: 20240612 } as const;
/** Test split sizes: MNIST 10,000 → 8,000 train / 2,000 test; 8×8 scans 1,797 → 1,257 / 540 (70/30). */
export const TEST_SIZES = { mnist: 2000, lowres: 540 } as const;
/** The class labels, in output order. */
export const DIGIT_LABELS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;

const mnistInput = (layout: TensorLayout): ImagePreprocessing =>
  create(ImagePreprocessingSchema, { width: 28, height: 28, colorMode: ColorMode.GRAYSCALE, layout, scale: 1 / 255 });

/** The zoo, in build order (a degraded model follows the model it is made from). */
export const ZOO_MODELS: readonly ZooModelSpec[] = [
  {
    name: "digits-general",
    description: "Small CNN for handwritten digits (28×28, MNIST)",
    architecture:
      "Conv 3×3 (1→8, pad 1) → ReLU → MaxPool 2 → Conv 3×3 (8→16, pad 1) → ReLU → MaxPool 2 → Flatten (784) → Gemm 784→64 → ReLU → Gemm 64→10",
    labels: { domain: "digits", resolution: "standard", size: "medium" },
    status: ModelStatus.ACTIVE,
    dataset: "mnist",
    preprocessing: mnistInput(TensorLayout.NCHW),
    intendedUse:
      "The default model for handwritten-digit images of ordinary resolution: a centred white-on-black digit, 28×28 or larger (it is resized).",
    limits: [
      "Trained on 8,000 MNIST digits only: centred, size-normalised white ink on black. Dark-on-light scans need `invert: true` in the preprocessing.",
      "Low-resolution scans upscaled to 28×28 are out of its domain (see the routing-gain table): route them to digits-lowres-specialist.",
      "No reject option: any image gets a digit.",
    ],
    network: createDigitsCnn,
    make: {
      kind: "train",
      training: { epochs: 8, batchSize: 32, learningRate: 0.002, learningRateDecay: 0.8, initSeed: 101, shuffleSeed: 102, inputScale: 1 },
    },
  },
  {
    name: "digits-lite",
    description: "Fast, small MLP for handwritten digits (28×28, MNIST); a few points less accurate than digits-general",
    architecture: "Flat 784 inputs → Gemm 784→32 → ReLU → Gemm 32→10",
    labels: { domain: "digits", resolution: "standard", size: "small" },
    status: ModelStatus.ACTIVE,
    dataset: "mnist",
    preprocessing: mnistInput(TensorLayout.FLAT),
    intendedUse: "A cheaper stand-in for digits-general: free tier, latency-sensitive traffic, fallback when the CNN is unavailable.",
    limits: [
      "A few points less accurate than digits-general on the same data.",
      "Same domain limits as digits-general: centred white-on-black digits; low-resolution scans are out of domain.",
    ],
    network: (rng) => createMlp(rng, { inputs: 784, hidden: 32, outputs: 10 }),
    make: {
      kind: "train",
      training: { epochs: 10, batchSize: 32, learningRate: 0.002, learningRateDecay: 0.8, initSeed: 201, shuffleSeed: 202, inputScale: 1 },
    },
  },
  {
    name: "digits-lowres-specialist",
    description: "MLP for low-resolution 8×8 digit scans (scikit-learn digits, values 0–16)",
    architecture: "Flat 64 inputs (0–16) → Gemm 64→32 → ReLU → Gemm 32→10",
    labels: { domain: "digits", resolution: "low", size: "small" },
    status: ModelStatus.ACTIVE,
    dataset: "lowres",
    preprocessing: create(ImagePreprocessingSchema, {
      width: 8,
      height: 8,
      colorMode: ColorMode.GRAYSCALE,
      layout: TensorLayout.FLAT,
      scale: 16 / 255,
    }),
    intendedUse:
      "Low-resolution digit scans (8×8, or small images area-averaged down to 8×8): requests with metadata image_type=lowres_scan, or images of at most 16×16 pixels.",
    limits: [
      "Trained on 1,257 scans from the UCI optdigits set (43 writers): digits fill the whole 8×8 frame, white ink on black.",
      "Ordinary 28×28 MNIST digits area-averaged to 8×8 are out of its domain (MNIST digits have a 4-pixel margin); see the routing-gain table.",
    ],
    network: (rng) => createMlp(rng, { inputs: 64, hidden: 32, outputs: 10 }),
    make: {
      kind: "train",
      training: { epochs: 50, batchSize: 32, learningRate: 0.003, learningRateDecay: 0.97, initSeed: 301, shuffleSeed: 302, inputScale: 1 / 16 },
    },
  },
  {
    name: "digits-general-degraded",
    description: "digits-general with seeded noise on its weights (roughly ten points less accurate), for canary and rollback demos",
    architecture: "The digits-general CNN, every weight and bias w replaced by w + σ·std(tensor)·ε with ε ~ N(0, 1) seeded",
    labels: { domain: "digits", resolution: "standard", variant: "degraded" },
    status: ModelStatus.STAGING,
    dataset: "mnist",
    preprocessing: mnistInput(TensorLayout.NCHW),
    intendedUse:
      "A deliberately worse candidate: canary, shadow and A/B experiments that should detect the drop and roll back. Not for real traffic.",
    limits: [
      "Deliberately degraded. Staged (MODEL_STATUS_STAGING) and labelled variant=degraded without size=medium, so the default digits selector never picks it.",
    ],
    network: createDigitsCnn,
    make: { kind: "degrade", degradation: { from: "digits-general", noiseSeed: 401, targetDrop: 0.1 } },
  },
];
