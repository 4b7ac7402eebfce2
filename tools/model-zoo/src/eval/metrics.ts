import { argmax } from "../tensor.js";

/** Classification quality over a labelled set. */
export interface ClassificationMetrics {
  /** Fraction of correct predictions, 0–1. */
  readonly accuracy: number;
  /** Unweighted mean over classes of the per-class F1 score, 0–1 (a class never predicted nor present counts 0). */
  readonly macroF1: number;
  /** confusion[truth][predicted] counts. */
  readonly confusion: readonly (readonly number[])[];
  readonly samples: number;
}

/** The predicted class of each row of a row-major [count × classes] score matrix. */
export function predictions(scores: ArrayLike<number>, classes: number): Uint8Array {
  const count = scores.length / classes;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = argmax(scores, i * classes, classes);
  return out;
}

/** Accuracy, macro-F1 and the confusion matrix of `predicted` against `truth` (class indices 0…classes−1). */
export function classificationMetrics(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  classes: number,
): ClassificationMetrics {
  if (predicted.length !== truth.length) throw new Error("predictions and labels differ in length");
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const row = confusion[truth[i] as number] as number[];
    row[predicted[i] as number] = (row[predicted[i] as number] as number) + 1;
  }
  let correct = 0;
  let f1Sum = 0;
  for (let c = 0; c < classes; c++) {
    const tp = confusion[c]?.[c] ?? 0;
    correct += tp;
    const actual = (confusion[c] ?? []).reduce((a, b) => a + b, 0);
    const predictedC = confusion.reduce((sum, row) => sum + (row[c] ?? 0), 0);
    f1Sum += actual + predictedC === 0 ? 0 : (2 * tp) / (actual + predictedC);
  }
  return { accuracy: correct / truth.length, macroF1: f1Sum / classes, confusion, samples: truth.length };
}
