import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ModelInferRequestSchema } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import { rejectionOf } from "../executor.test-support.js";
import { type OipTestServer, digitTensor, float32Bytes, float32Values, startOipTestServer } from "./oip.test-support.js";

type InferInit = MessageInitShape<typeof ModelInferRequestSchema>;

const image = Array.from(digitTensor("mnist-7-0.png"));
const argmax = (values: readonly number[]): number => values.indexOf(Math.max(...values));

/** A ModelInferRequest for digits-general with the sample's tensor in typed contents, as an OIP client sends it. */
const typedRequest = (overrides: Omit<InferInit, "$typeName"> = {}): InferInit => ({
  modelName: "digits-general",
  id: "req-typed",
  inputs: [{ name: "input", datatype: "FP32", shape: [1n, 1n, 28n, 28n], contents: { fp32Contents: image } }],
  ...overrides,
});

describe("the executor's OIP gRPC service (inference.GRPCInferenceService)", () => {
  let server: OipTestServer;
  beforeAll(async () => {
    server = await startOipTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  describe("server health and metadata", () => {
    it("is live, and ready once its workers started", async () => {
      expect((await server.oip.serverLive({})).live).toBe(true);
      expect((await server.oip.serverReady({})).ready).toBe(true);
    });

    it("names itself modelrouter with its version and the binary tensor extension", async () => {
      const metadata = await server.oip.serverMetadata({});
      expect(metadata.name).toBe("modelrouter");
      expect(metadata.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(metadata.extensions).toEqual(["binary_tensor_data"]);
    });
  });

  describe("ModelReady and ModelMetadata", () => {
    it("says an ACTIVE zoo model is ready, by name alone or with its version", async () => {
      expect((await server.oip.modelReady({ name: "digits-general" })).ready).toBe(true);
      expect((await server.oip.modelReady({ name: "digits-general", version: "1" })).ready).toBe(true);
    });

    it("says a model or version it does not serve is not ready", async () => {
      expect((await server.oip.modelReady({ name: "no-such-model" })).ready).toBe(false);
      expect((await server.oip.modelReady({ name: "digits-general", version: "9" })).ready).toBe(false);
    });

    it("describes a model's inputs and outputs from its ONNX session, with OIP datatypes and the onnxruntime platform", async () => {
      const metadata = await server.oip.modelMetadata({ name: "digits-general" });
      expect(metadata.name).toBe("digits-general");
      expect(metadata.versions).toEqual(["1"]);
      expect(metadata.platform).toBe("onnxruntime_onnx");
      expect(metadata.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape }))).toEqual([
        { name: "input", datatype: "FP32", shape: [1n, 1n, 28n, 28n] },
      ]);
      expect(metadata.outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape }))).toEqual([
        { name: "logits", datatype: "FP32", shape: [1n, 10n] },
      ]);
    });

    it("answers NOT_FOUND for the metadata of a model it does not serve, naming it and the served versions", async () => {
      const unknown = await rejectionOf(server.oip.modelMetadata({ name: "no-such-model" }));
      expect(unknown["code"]).toBe(Code.NOT_FOUND);
      expect(unknown.message).toContain('model "no-such-model"');
      const version = await rejectionOf(server.oip.modelMetadata({ name: "digits-general", version: "9" }));
      expect(version["code"]).toBe(Code.NOT_FOUND);
      expect(version.message).toContain("its served versions: 1");
    });
  });

  describe("ModelInfer", () => {
    it("runs typed contents through the model and answers the raw logits in typed contents, echoing the id", async () => {
      const response = await server.oip.modelInfer(typedRequest());
      expect(response.modelName).toBe("digits-general");
      expect(response.modelVersion).toBe("1");
      expect(response.id).toBe("req-typed");
      expect(response.rawOutputContents).toEqual([]);
      const [logits] = response.outputs;
      expect(logits?.name).toBe("logits");
      expect(logits?.datatype).toBe("FP32");
      expect(logits?.shape).toEqual([1n, 10n]);
      expect(logits?.contents?.fp32Contents).toHaveLength(10);
      expect(argmax(logits?.contents?.fp32Contents ?? [])).toBe(7);
    });

    it("takes raw_input_contents (little-endian) and then answers in raw_output_contents, with the same logits", async () => {
      const typed = await server.oip.modelInfer(typedRequest());
      const raw = await server.oip.modelInfer({
        modelName: "digits-general",
        modelVersion: "1",
        id: "req-raw",
        inputs: [{ name: "input", datatype: "FP32", shape: [1n, 1n, 28n, 28n] }],
        rawInputContents: [float32Bytes(image)],
      });
      expect(raw.id).toBe("req-raw");
      expect(raw.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape, contents: o.contents }))).toEqual([
        { name: "logits", datatype: "FP32", shape: [1n, 10n], contents: undefined },
      ]);
      expect(raw.rawOutputContents).toHaveLength(1);
      expect(float32Values(raw.rawOutputContents[0] ?? new Uint8Array())).toEqual(typed.outputs[0]?.contents?.fp32Contents);
    });

    it("honours the requested outputs and refuses one the model does not have, naming the outputs it has", async () => {
      const named = await server.oip.modelInfer(typedRequest({ outputs: [{ name: "logits" }] }));
      expect(named.outputs.map((o) => o.name)).toEqual(["logits"]);
      const unknown = await rejectionOf(server.oip.modelInfer(typedRequest({ outputs: [{ name: "probabilities" }] })));
      expect(unknown["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(unknown.message).toContain('outputs[0].name: is "probabilities"');
      expect(unknown.message).toContain('"logits"');
    });

    it("answers NOT_FOUND for a model it does not serve", async () => {
      const error = await rejectionOf(server.oip.modelInfer(typedRequest({ modelName: "no-such-model" })));
      expect(error["code"]).toBe(Code.NOT_FOUND);
      expect(error.message).toContain("no-such-model");
    });

    it("refuses a datatype it does not take with INVALID_ARGUMENT naming the datatype and the ones it takes", async () => {
      const request = typedRequest({ inputs: [{ name: "input", datatype: "FP16", shape: [1n, 1n, 28n, 28n] }], rawInputContents: [new Uint8Array(1568)] });
      const error = await rejectionOf(server.oip.modelInfer(request));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(error.message).toContain('inputs[0].datatype: is "FP16"');
      expect(error.message).toContain("FP32");
    });

    it("refuses a datatype the model input does not take, saying what it takes", async () => {
      const request = typedRequest({ inputs: [{ name: "input", datatype: "INT32", shape: [1n, 1n, 28n, 28n], contents: { intContents: image.map(() => 0) } }] });
      const error = await rejectionOf(server.oip.modelInfer(request));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(error.message).toContain('inputs[0].datatype: is INT32, but model digits-general@1 takes one input "input" of FP32 [1, 1, 28, 28]');
    });

    it("refuses a shape the model input does not take with INVALID_ARGUMENT naming the input and the expected shape", async () => {
      const request = typedRequest({ inputs: [{ name: "input", datatype: "FP32", shape: [1n, 784n], contents: { fp32Contents: image } }] });
      const error = await rejectionOf(server.oip.modelInfer(request));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(error.message).toContain('inputs[0].shape: is [1, 784], but model digits-general@1 takes one input "input" of FP32 [1, 1, 28, 28]');
    });

    it("refuses an input named otherwise than the model's", async () => {
      const request = typedRequest({ inputs: [{ name: "pixels", datatype: "FP32", shape: [1n, 1n, 28n, 28n], contents: { fp32Contents: image } }] });
      const error = await rejectionOf(server.oip.modelInfer(request));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(error.message).toContain('inputs[0].name: is "pixels"');
    });

    it("refuses contents whose element count does not match the shape, or that sit in another datatype's field", async () => {
      const short = await rejectionOf(server.oip.modelInfer(typedRequest({ inputs: [{ name: "input", datatype: "FP32", shape: [1n, 1n, 28n, 28n], contents: { fp32Contents: image.slice(1) } }] })));
      expect(short["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(short.message).toContain("inputs[0].contents.fp32_contents: has 783 elements, but shape [1, 1, 28, 28] needs 784");
      const misplaced = await rejectionOf(server.oip.modelInfer(typedRequest({ inputs: [{ name: "input", datatype: "FP32", shape: [1n, 1n, 28n, 28n], contents: { fp64Contents: image } }] })));
      expect(misplaced.message).toContain("FP32 elements go in fp32_contents");
    });

    it("refuses raw contents of the wrong byte length, and inputs sent both raw and typed", async () => {
      const input = { name: "input", datatype: "FP32", shape: [1n, 1n, 28n, 28n] };
      const short = await rejectionOf(server.oip.modelInfer({ modelName: "digits-general", inputs: [input], rawInputContents: [new Uint8Array(3135)] }));
      expect(short["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(short.message).toContain("raw_input_contents[0]: has 3135 bytes, but 784 float32 elements take 3136");
      const both = await rejectionOf(
        server.oip.modelInfer({ modelName: "digits-general", inputs: [{ ...input, contents: { fp32Contents: image } }], rawInputContents: [float32Bytes(image)] }),
      );
      expect(both.message).toContain("inputs[0].contents: must be empty when raw_input_contents is used");
      const count = await rejectionOf(server.oip.modelInfer({ modelName: "digits-general", inputs: [input, { ...input, name: "other" }], rawInputContents: [float32Bytes(image)] }));
      expect(count.message).toContain("raw_input_contents: has 1 entries, but the request has 2 inputs");
    });
  });
});

describe("OIP inference goes through the executor's admission", () => {
  let server: OipTestServer;
  beforeAll(async () => {
    server = await startOipTestServer({ maxQueued: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("sheds load with RESOURCE_EXHAUSTED when no task may wait for the busy worker", async () => {
    await server.oip.modelInfer(typedRequest());
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => server.oip.modelInfer(typedRequest({ id: `burst-${i}` }))));
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(outcomes.some((o) => o.status === "fulfilled")).toBe(true);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect((r.reason as { code: Code }).code).toBe(Code.RESOURCE_EXHAUSTED);
  });
});
