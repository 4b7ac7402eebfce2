import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { ExecuteResponse } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import {
  type TempModelRoot,
  type TestExecutor,
  createTempModelRoot,
  executeRequest,
  floatTensorPayload,
  rejectionOf,
  startTestExecutor,
} from "./executor.test-support.js";
import { identityModel } from "./onnx-model.test-support.js";

/** The scores are fed through a real identity model, so the post-processor sees exactly them. */
describe("classification post-processing", () => {
  let root: TempModelRoot;
  let executor: TestExecutor;

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("scores.onnx", identityModel("float32", [1, "classes"]));
    executor = await startTestExecutor(root.dir);
  });

  afterAll(async () => {
    await executor?.close();
    await root?.remove();
  });

  const classify = async (
    scores: number[],
    classification: { labels?: string[]; softmax?: boolean; topK?: number },
  ): Promise<{ label: string; score: number }[]> => {
    const response: ExecuteResponse = await executor.client.execute(
      executeRequest(
        { uri: "scores.onnx", postprocessing: { kind: { case: "classification", value: classification } } },
        floatTensorPayload([1, scores.length], scores),
      ),
    );
    const value = response.outputs[0]?.value;
    if (value?.case !== "classification") throw new Error(`expected a classification, got ${String(value?.case)}`);
    return value.value.labels.map((l) => ({ label: l.label, score: l.score }));
  };

  it("ranks the labels best first, with their scores", async () => {
    expect(await classify([0.1, 0.7, 0.2], { labels: ["cat", "dog", "fox"] })).toEqual([
      { label: "dog", score: expect.closeTo(0.7, 6) },
      { label: "fox", score: expect.closeTo(0.2, 6) },
      { label: "cat", score: expect.closeTo(0.1, 6) },
    ]);
  });

  it("applies softmax to logits when asked", async () => {
    const ranked = await classify([Math.log(1), Math.log(3)], { labels: ["a", "b"], softmax: true });
    expect(ranked).toEqual([
      { label: "b", score: expect.closeTo(0.75, 6) },
      { label: "a", score: expect.closeTo(0.25, 6) },
    ]);
  });

  it("keeps softmax finite for large logits", async () => {
    const ranked = await classify([1000, 1000], { softmax: true });
    expect(ranked.map((l) => l.score)).toEqual([0.5, 0.5]);
  });

  it("returns only the top k labels", async () => {
    const ranked = await classify([5, 1, 4, 3], { labels: ["zero", "one", "two", "three"], topK: 2 });
    expect(ranked.map((l) => l.label)).toEqual(["zero", "two"]);
  });

  it("names classes by index when no labels are given, ties in class order", async () => {
    const ranked = await classify([1, 2, 2], {});
    expect(ranked.map((l) => l.label)).toEqual(["1", "2", "0"]);
  });

  it("reports a label list that does not match the scores as the model's problem", async () => {
    const error = await rejectionOf(classify([1, 2, 3], { labels: ["a", "b"] }));
    expect(error["code"]).toBe(Code.UNAVAILABLE);
    expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
    expect(error.message).toContain('its output "y" has 3 scores but the backend lists 2 labels');
  });
});
