import { PNG } from "pngjs";
import { type EvaluationSet, evaluationImage, loadEvaluationSet } from "@modelrouter/model-zoo";
import { createRandom } from "../loadgen/random.js";

/** What a workload request is: a 28×28 MNIST digit or an 8×8 scan. */
export type WorkloadKind = "mnist" | "scan";

/** One labelled request of the routing-quality workload. */
export interface WorkloadItem {
  /** Stable across runs with the same seed: `<kind>-<index in its evaluation set>`. */
  readonly id: string;
  readonly kind: WorkloadKind;
  /** The PNG the client sends. */
  readonly png: Uint8Array;
  /** The true digit ("0"–"9"). */
  readonly label: string;
  /** The request metadata: some scans say what they are (`image_type`), as a real client's might. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** A held-out workload: a learning stream (for the bandits) and an evaluation stream, from disjoint images. */
export interface Workload {
  readonly learning: readonly WorkloadItem[];
  readonly evaluation: readonly WorkloadItem[];
}

/** Options of {@link buildWorkload}. */
export interface WorkloadOptions {
  readonly seed: number;
  /** Requests in the learning stream (drawn with replacement from the learning images). */
  readonly learning: number;
  /** Requests in the evaluation stream (drawn with replacement from the evaluation images). */
  readonly evaluation: number;
  /** The share of scans in both streams, in [0, 1]. */
  readonly scanShare: number;
  /** The share of scans whose request carries `image_type: lowres_scan`, in [0, 1]. */
  readonly taggedScanShare: number;
}

function grayPng(width: number, height: number, pixels: Uint8Array): Uint8Array {
  const png = new PNG({ width, height });
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i] ?? 0;
    png.data[4 * i] = v;
    png.data[4 * i + 1] = v;
    png.data[4 * i + 2] = v;
    png.data[4 * i + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png));
}

interface Pool {
  readonly set: EvaluationSet;
  readonly kind: WorkloadKind;
  readonly indexes: readonly number[];
}

/** Splits a set's images into two disjoint halves at random (seeded): learning and evaluation images. */
function halves(set: EvaluationSet, kind: WorkloadKind, random: () => number): [Pool, Pool] {
  const order = Array.from({ length: set.count }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const middle = Math.floor(order.length / 2);
  return [
    { set, kind, indexes: order.slice(0, middle) },
    { set, kind, indexes: order.slice(middle) },
  ];
}

function draw(pools: { mnist: Pool; scan: Pool }, count: number, options: WorkloadOptions, random: () => number): WorkloadItem[] {
  const items: WorkloadItem[] = [];
  for (let n = 0; n < count; n++) {
    const pool = random() < options.scanShare ? pools.scan : pools.mnist;
    const index = pool.indexes[Math.floor(random() * pool.indexes.length)]!;
    const tagged = pool.kind === "scan" && random() < options.taggedScanShare;
    items.push({
      id: `${pool.kind}-${index}`,
      kind: pool.kind,
      png: grayPng(pool.set.width, pool.set.height, evaluationImage(pool.set, index)),
      label: pool.set.labels[index]!,
      metadata: tagged ? { image_type: "lowres_scan" } : {},
    });
  }
  return items;
}

/**
 * The routing-quality workload from the zoo's held-out sets (1,000 MNIST test digits, 540 8×8 scans, none used in
 * training): each set is split in two at random, the learning stream draws from one half and the evaluation
 * stream from the other, so what a bandit learns is measured on images it never saw. Same seed, same workload.
 */
export function buildWorkload(options: WorkloadOptions): Workload {
  const random = createRandom(options.seed);
  const [mnistLearning, mnistEvaluation] = halves(loadEvaluationSet("mnist-test-1000"), "mnist", random);
  const [scanLearning, scanEvaluation] = halves(loadEvaluationSet("lowres-test-540"), "scan", random);
  return {
    learning: draw({ mnist: mnistLearning, scan: scanLearning }, options.learning, options, random),
    evaluation: draw({ mnist: mnistEvaluation, scan: scanEvaluation }, options.evaluation, options, random),
  };
}
