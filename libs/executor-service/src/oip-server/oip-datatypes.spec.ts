import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { type InferTensorContents, ModelSchema, ModelStatus } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import { type TempModelRoot, createTempModelRoot, rejectionOf } from "../executor.test-support.js";
import { type OnnxType, identityModel } from "../onnx-model.test-support.js";
import { type OipTestServer, startOipTestServer } from "./oip.test-support.js";

/** Each supported datatype: the identity model's element type, sample elements, their typed-contents field and their little-endian bytes. */
const cases: readonly {
  datatype: string;
  onnx: OnnxType;
  json: (number | boolean)[];
  field: keyof InferTensorContents;
  typed: unknown[];
  raw: number[];
}[] = [
  { datatype: "FP32", onnx: "float32", json: [1.5, -2], field: "fp32Contents", typed: [1.5, -2], raw: [0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0] },
  { datatype: "FP64", onnx: "float64", json: [0.25, 3], field: "fp64Contents", typed: [0.25, 3], raw: [0, 0, 0, 0, 0, 0, 0xd0, 0x3f, 0, 0, 0, 0, 0, 0, 8, 0x40] },
  { datatype: "INT32", onnx: "int32", json: [-1, 258], field: "intContents", typed: [-1, 258], raw: [0xff, 0xff, 0xff, 0xff, 2, 1, 0, 0] },
  { datatype: "INT64", onnx: "int64", json: [-2, 65536], field: "int64Contents", typed: [-2n, 65536n], raw: [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 1, 0, 0, 0, 0, 0] },
  { datatype: "UINT8", onnx: "uint8", json: [0, 255], field: "uintContents", typed: [0, 255], raw: [0, 255] },
  { datatype: "BOOL", onnx: "bool", json: [true, false], field: "boolContents", typed: [true, false], raw: [1, 0] },
];

describe("every supported OIP datatype crosses the executor unchanged", () => {
  let root: TempModelRoot;
  let server: OipTestServer;

  beforeAll(async () => {
    root = await createTempModelRoot();
    const models = [];
    for (const c of cases) {
      const uri = await root.write(`identity-${c.onnx}.onnx`, identityModel(c.onnx, ["batch", 2]));
      models.push(create(ModelSchema, { name: `identity-${c.onnx}`, version: "1", status: ModelStatus.ACTIVE, backend: { kind: { case: "onnx", value: { uri } } } }));
    }
    models.push(create(ModelSchema, { name: "file-missing", version: "1", status: ModelStatus.ACTIVE, backend: { kind: { case: "onnx", value: { uri: "missing.onnx" } } } }));
    server = await startOipTestServer({ modelRoot: root.dir, models });
  });
  afterAll(async () => {
    await server.close();
    await root.remove();
  });

  it("describes a symbolic dimension as -1 in the model metadata", async () => {
    const metadata = await server.oip.modelMetadata({ name: "identity-float32" });
    expect(metadata.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape }))).toEqual([{ name: "x", datatype: "FP32", shape: [-1n, 2n] }]);
    const rest = (await (await fetch(`${server.restUrl}/v2/models/identity-float32`)).json()) as { outputs: unknown[] };
    expect(rest.outputs).toEqual([{ name: "y", datatype: "FP32", shape: [-1, 2] }]);
  });

  it.each(cases)("$datatype: typed contents come back in the same typed field", async (c) => {
    const response = await server.oip.modelInfer({
      modelName: `identity-${c.onnx}`,
      inputs: [{ name: "x", datatype: c.datatype, shape: [1n, 2n], contents: { [c.field]: c.typed } }],
    });
    expect(response.outputs[0]?.datatype).toBe(c.datatype);
    expect(response.outputs[0]?.contents?.[c.field]).toEqual(c.typed);
  });

  it.each(cases)("$datatype: raw little-endian bytes come back byte for byte", async (c) => {
    const response = await server.oip.modelInfer({
      modelName: `identity-${c.onnx}`,
      inputs: [{ name: "x", datatype: c.datatype, shape: [1n, 2n] }],
      rawInputContents: [Uint8Array.from(c.raw)],
    });
    expect(Array.from(response.rawOutputContents[0] ?? [])).toEqual(c.raw);
  });

  it.each(cases)("$datatype: REST JSON data and REST binary data come back as sent", async (c) => {
    const url = `${server.restUrl}/v2/models/identity-${c.onnx}/infer`;
    const json = await fetch(url, { method: "POST", body: JSON.stringify({ inputs: [{ name: "x", shape: [1, 2], datatype: c.datatype, data: c.json }] }) });
    expect(((await json.json()) as { outputs: unknown[] }).outputs).toEqual([{ name: "y", datatype: c.datatype, shape: [1, 2], data: c.json }]);
    const header = new TextEncoder().encode(
      JSON.stringify({ inputs: [{ name: "x", shape: [1, 2], datatype: c.datatype, parameters: { binary_data_size: c.raw.length } }], parameters: { binary_data_output: true } }),
    );
    const binary = await fetch(url, { method: "POST", headers: { "inference-header-content-length": String(header.byteLength) }, body: Buffer.concat([header, Uint8Array.from(c.raw)]) });
    const bytes = new Uint8Array(await binary.arrayBuffer());
    expect(Array.from(bytes.subarray(Number(binary.headers.get("inference-header-content-length"))))).toEqual(c.raw);
  });

  it("takes any size on a dynamic dimension", async () => {
    const response = await server.oip.modelInfer({
      modelName: "identity-int32",
      inputs: [{ name: "x", datatype: "INT32", shape: [3n, 2n], contents: { intContents: [1, 2, 3, 4, 5, 6] } }],
    });
    expect(response.outputs[0]?.shape).toEqual([3n, 2n]);
    expect(response.outputs[0]?.contents?.intContents).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("says a served version whose model file cannot be loaded is not ready, and answers UNAVAILABLE (503 on REST) for it", async () => {
    expect((await server.oip.modelReady({ name: "file-missing" })).ready).toBe(false);
    const infer = await rejectionOf(server.oip.modelInfer({ modelName: "file-missing", inputs: [{ name: "x", datatype: "FP32", shape: [1n], contents: { fp32Contents: [0] } }] }));
    expect(infer["code"]).toBe(Code.UNAVAILABLE);
    expect(infer.message).toContain("file-missing");
    const metadata = await fetch(`${server.restUrl}/v2/models/file-missing`);
    expect(metadata.status).toBe(503);
    expect(((await metadata.json()) as { error: string }).error).toContain("backend.onnx.uri");
  });

  it("refuses elements that do not fit their datatype, naming the element", async () => {
    const url = `${server.restUrl}/v2/models/identity-uint8/infer`;
    const answer = await fetch(url, { method: "POST", body: JSON.stringify({ inputs: [{ name: "x", shape: [1, 2], datatype: "UINT8", data: [1, 256] }] }) });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: string }).error).toContain('inputs[0].data[1]: is "256", but a uint8 element must be an integer from 0 to 255');
    const bool = await server.oip
      .modelInfer({ modelName: "identity-bool", inputs: [{ name: "x", datatype: "BOOL", shape: [1n, 2n] }], rawInputContents: [Uint8Array.from([1, 2])] })
      .catch((error: unknown) => error as Error);
    expect((bool as Error).message).toContain("raw_input_contents[0][1]: is the byte 2, which is not a BOOL: use 0 or 1");
  });
});
