import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { type Output, OutputSchema } from "@modelrouter/contracts";
import { compareAnswers } from "./shadow-comparison.js";

/** A classification answer, its labels ranked as given (best first). */
function classified(...ranked: [label: string, score: number][]): Output[] {
  const labels = ranked.map(([label, score]) => ({ label, score }));
  return [create(OutputSchema, { name: "probabilities", value: { case: "classification", value: { labels } } })];
}

/** A chat model's answer. */
const generated = (text: string): Output[] => [create(OutputSchema, { value: { case: "generation", value: { text, finishReason: "stop" } } })];

const regression = [create(OutputSchema, { name: "y", value: { case: "regression", value: { value: 3.5, unit: "" } } })];

describe("compareAnswers", () => {
  it("finds identical answers the same, at distance 0", () => {
    expect(compareAnswers(classified(["7", 0.9], ["1", 0.1]), classified(["7", 0.9], ["1", 0.1]))).toEqual({
      topLabel: "7",
      sameTopLabel: true,
      scoreDistance: 0,
    });
  });

  it("sums the absolute score differences over the union of labels, a missing label counting as 0", () => {
    const compared = compareAnswers(classified(["7", 0.7], ["1", 0.3]), classified(["1", 0.6], ["4", 0.4]));
    expect(compared.topLabel).toBe("1");
    expect(compared.sameTopLabel).toBe(false);
    expect(compared.scoreDistance).toBeCloseTo(0.7 + 0.3 + 0.4, 12);
  });

  it("reaches 2 for two probability distributions with no label in common", () => {
    expect(compareAnswers(classified(["a", 1]), classified(["b", 1])).scoreDistance).toBe(2);
  });

  it("has no distance, and no same label, when either answer is not a classification", () => {
    expect(compareAnswers(regression, classified(["7", 1]))).toEqual({ topLabel: "7", sameTopLabel: false, scoreDistance: undefined });
    expect(compareAnswers(classified(["7", 1]), regression)).toEqual({ topLabel: "", sameTopLabel: false, scoreDistance: undefined });
    expect(compareAnswers([], [])).toEqual({ topLabel: "", sameTopLabel: false, scoreDistance: undefined });
  });

  it("finds two generations in agreement when their texts are the same but for whitespace, with no label and no distance", () => {
    expect(compareAnswers(generated("Paris is the capital."), generated("  Paris is\nthe   capital. "))).toEqual({
      topLabel: "",
      sameTopLabel: true,
      scoreDistance: undefined,
    });
    expect(compareAnswers(generated("Paris."), generated("Lyon."))).toEqual({ topLabel: "", sameTopLabel: false, scoreDistance: undefined });
  });

  it("finds a generation never in agreement with an answer of another kind", () => {
    expect(compareAnswers(classified(["7", 1]), generated("7")).sameTopLabel).toBe(false);
    expect(compareAnswers(generated("7"), classified(["7", 1])).sameTopLabel).toBe(false);
  });
});
