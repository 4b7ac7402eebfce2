import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { type ExecuteResponse, FeatureType } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import { type TempModelRoot, type TestExecutor, createTempModelRoot, rejectionOf, startTestExecutor } from "./executor.test-support.js";
import { identityModel } from "./onnx-model.test-support.js";
import { type OnnxInit, linearModel, modelRequest } from "./preprocess/requests.test-support.js";

/** Regression and binary classification read real model outputs: an identity [1, n] and a linear model. */
describe("regression and binary post-processing", () => {
  let root: TempModelRoot;
  let executor: TestExecutor;

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("identity.onnx", identityModel("float32", [1, "n"]));
    await root.write("linear.onnx", linearModel([2, -1, 0.5]));
    executor = await startTestExecutor(root.dir);
  });

  afterAll(async () => {
    await executor?.close();
    await root?.remove();
  });

  const execute = (postprocessing: OnnxInit["postprocessing"], values: number[], uri = "identity.onnx"): Promise<ExecuteResponse> =>
    executor.client.execute(
      modelRequest({ uri, postprocessing }, { kind: { case: "tensor", value: { dataType: 1, shape: [1, values.length], floatData: values } } }),
    );
  const regression = (value: { scale?: number; offset?: number; unit?: string }): OnnxInit["postprocessing"] => ({
    kind: { case: "regression", value },
  });
  const binary = (labels: string[], topK = 0): OnnxInit["postprocessing"] => ({ kind: { case: "classification", value: { labels, topK } } });

  describe("regression", () => {
    it("answers value × scale + offset with the unit", async () => {
      const response = await execute(regression({ scale: 2.5, offset: 10, unit: "mmol/L" }), [1.5]);
      expect(response.outputs[0]?.name).toBe("y");
      expect(response.outputs[0]?.value).toEqual({ case: "regression", value: expect.objectContaining({ value: 13.75, unit: "mmol/L" }) });
    });

    it("reads scale 0 as 1", async () => {
      const response = await execute(regression({}), [-4]);
      expect(response.outputs[0]?.value).toEqual({ case: "regression", value: expect.objectContaining({ value: -4, unit: "" }) });
    });

    it("answers a tabular record through a linear model", async () => {
      const tabular: OnnxInit["preprocessing"] = {
        kind: {
          case: "tabular",
          value: {
            features: [
              { name: "a", type: FeatureType.NUMBER },
              { name: "b", type: FeatureType.NUMBER, mean: 1 },
              { name: "c", type: FeatureType.BOOLEAN },
            ],
          },
        },
      };
      const response = await executor.client.execute(
        modelRequest(
          { uri: "linear.onnx", preprocessing: tabular, postprocessing: regression({ offset: 100, unit: "g" }) },
          { kind: { case: "json", value: fromJson(ValueSchema, { a: 3, b: 5, c: true }) } },
        ),
      );
      // 2·3 − 1·(5 − 1) + 0.5·1 = 2.5
      expect(response.outputs[0]?.value).toEqual({ case: "regression", value: expect.objectContaining({ value: 102.5, unit: "g" }) });
    });

    it("reports an output of more than one value as the model's problem", async () => {
      const error = await rejectionOf(execute(regression({}), [1, 2, 3]));
      expect(error["code"]).toBe(Code.UNAVAILABLE);
      expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
      expect(error.message).toContain('its output "y" has 3 values, but regression reads one ([1, 1])');
    });

    it("refuses a scale or offset that is not finite, naming the field", async () => {
      const error = await rejectionOf(execute(regression({ scale: Number.NaN, offset: Number.POSITIVE_INFINITY }), [1]));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect((error["violations"] as { field: string }[]).map((v) => v.field)).toEqual([
        "backend.onnx.postprocessing.regression.scale",
        "backend.onnx.postprocessing.regression.offset",
      ]);
    });
  });

  describe("binary classification", () => {
    const labelsOf = (response: ExecuteResponse): { label: string; score: number }[] => {
      const value = response.outputs[0]?.value;
      if (value?.case !== "classification") throw new Error(`expected a classification, got ${String(value?.case)}`);
      return value.value.labels.map((l) => ({ label: l.label, score: l.score }));
    };

    it("reads a single logit with two labels as the positive label's sigmoid, both labels ranked", async () => {
      expect(labelsOf(await execute(binary(["benign", "malignant"]), [Math.log(3)]))).toEqual([
        { label: "malignant", score: expect.closeTo(0.75, 6) },
        { label: "benign", score: expect.closeTo(0.25, 6) },
      ]);
      expect(labelsOf(await execute(binary(["benign", "malignant"]), [-Math.log(4)]))).toEqual([
        { label: "benign", score: expect.closeTo(0.8, 6) },
        { label: "malignant", score: expect.closeTo(0.2, 6) },
      ]);
    });

    it("stays finite for huge logits and keeps top_k", async () => {
      expect(labelsOf(await execute(binary(["no", "yes"], 1), [-1e30]))).toEqual([{ label: "no", score: 1 }]);
      expect(labelsOf(await execute(binary(["no", "yes"]), [1e30]))).toEqual([
        { label: "yes", score: 1 },
        { label: "no", score: 0 },
      ]);
    });

    it("still ranks two scores as two classes", async () => {
      expect(labelsOf(await execute(binary(["no", "yes"]), [0.9, 0.1])).map((l) => l.label)).toEqual(["no", "yes"]);
    });
  });
});
