import { describe, expect, it } from "@jest/globals";
import { classificationMetrics, predictions } from "./metrics.js";

describe("classificationMetrics", () => {
  it("computes accuracy, the confusion matrix and the unweighted mean of per-class F1", () => {
    const truth = [0, 0, 0, 1, 1, 2];
    const predicted = [0, 0, 1, 1, 1, 1];
    const m = classificationMetrics(predicted, truth, 3);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.confusion).toEqual([[2, 1, 0], [0, 2, 0], [0, 1, 0]]);
    // F1: class 0 = 2·2/(3+2) = 0.8; class 1 = 2·2/(2+4) = 2/3; class 2 = 0.
    expect(m.macroF1).toBeCloseTo((0.8 + 2 / 3 + 0) / 3, 12);
    expect(m.samples).toBe(6);
  });

  it("reads the predicted class of each row of a score matrix", () => {
    expect(Array.from(predictions([0.1, 0.9, 0.3, 5, -1, 2], 3))).toEqual([1, 0]);
  });
});
