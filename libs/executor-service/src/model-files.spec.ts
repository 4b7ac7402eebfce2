import { createHash } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@modelrouter/rpc-kit";
import {
  type TempModelRoot,
  type TestExecutor,
  createTempModelRoot,
  executeRequest,
  floatTensorPayload,
  rejectionOf,
  startTestExecutor,
  tensorOf,
} from "./executor.test-support.js";
import { identityModel } from "./onnx-model.test-support.js";

describe("model files", () => {
  let root: TempModelRoot;
  let executor: TestExecutor;
  const model = identityModel("float32", [1, 2]);
  const payload = floatTensorPayload([1, 2], [3, 4]);

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("model.onnx", model);
    await root.write("corrupt.onnx", new TextEncoder().encode("this is not a model"));
    executor = await startTestExecutor(root.dir, { sessionCacheSize: 1 });
  });

  afterAll(async () => {
    await executor?.close();
    await root?.remove();
  });

  const execute = (onnx: Parameters<typeof executeRequest>[0], name = "test-model") =>
    executor.client.execute(executeRequest(onnx, payload, name));

  it("loads a model by a uri relative to the model root", async () => {
    expect(tensorOf(await execute({ uri: "model.onnx" })).values).toEqual([3, 4]);
  });

  it("loads a model by an absolute path or a file:// URL", async () => {
    const path = join(root.dir, "model.onnx");
    expect(tensorOf(await execute({ uri: path })).values).toEqual([3, 4]);
    expect(tensorOf(await execute({ uri: pathToFileURL(path).href })).values).toEqual([3, 4]);
  });

  it("reports a missing file as MODEL_UNAVAILABLE, without the server's paths, and logs the cause", async () => {
    const error = await rejectionOf(execute({ uri: "missing.onnx" }, "ghost"));
    expect(error["code"]).toBe(Code.UNAVAILABLE);
    expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
    expect(error.message).toBe('model ghost@1 is unavailable: its file could not be read (uri "missing.onnx")');
    expect(error["metadata"]).toEqual({ model: "ghost", version: "1", uri: "missing.onnx" });
    const logged = executor.logs.find((line) => line["model"] === "ghost");
    expect(logged).toMatchObject({ level: "warn", reason: "MODEL_UNAVAILABLE", path: join(root.dir, "missing.onnx") });
    expect(JSON.stringify(logged?.["cause"])).toContain("ENOENT");
  });

  it("does not show an absolute uri in the message", async () => {
    const path = join(root.dir, "absent.onnx");
    const error = await rejectionOf(execute({ uri: path }));
    expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
    expect(error.message).toBe("model test-model@1 is unavailable: its file could not be read");
    expect(error.message).not.toContain(root.dir);
  });

  it("reports a file that is not an ONNX model as MODEL_UNAVAILABLE", async () => {
    const error = await rejectionOf(execute({ uri: "corrupt.onnx" }));
    expect(error["code"]).toBe(Code.UNAVAILABLE);
    expect(error.message).toBe(
      'model test-model@1 is unavailable: its file is not an ONNX model that ONNX Runtime can load (uri "corrupt.onnx")',
    );
  });

  it("checks the file's sha256 when one is registered", async () => {
    const sha256 = createHash("sha256").update(model).digest("hex");
    expect(tensorOf(await execute({ uri: "model.onnx", sha256 }, "checked")).values).toEqual([3, 4]);
    const error = await rejectionOf(execute({ uri: "model.onnx", sha256: "0".repeat(64) }, "tampered"));
    expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
    expect(error.message).toContain("its file does not match the registered sha256");
  });

  it("loads a file that appears after a failed attempt", async () => {
    expect((await rejectionOf(execute({ uri: "late.onnx" }, "late")))["reason"]).toBe("MODEL_UNAVAILABLE");
    await root.write("late.onnx", model);
    expect(tensorOf(await execute({ uri: "late.onnx" }, "late")).values).toEqual([3, 4]);
  });

  it("keeps a loaded model and reloads it only after a newer one pushed it out of the cache", async () => {
    await root.write("mutable.onnx", model);
    expect(tensorOf(await execute({ uri: "mutable.onnx" }, "mutable")).values).toEqual([3, 4]);
    await root.write("mutable.onnx", identityModel("float32", [1, 3]));
    expect(tensorOf(await execute({ uri: "mutable.onnx" }, "mutable")).values).toEqual([3, 4]);
    await execute({ uri: "model.onnx" }, "other");
    const error = await rejectionOf(execute({ uri: "mutable.onnx" }, "mutable"));
    expect(error["reason"]).toBe("PAYLOAD_UNSUPPORTED");
    expect(error.message).toContain("takes float32 [1, 3]");
  });

  it("names the model's inputs and outputs when the backend names one it does not have", async () => {
    const input = await rejectionOf(execute({ uri: "model.onnx", inputName: "pixels" }));
    expect(input["reason"]).toBe("MODEL_UNAVAILABLE");
    expect(input.message).toContain('it has no input named "pixels" (its inputs: "x")');
    const output = await rejectionOf(execute({ uri: "model.onnx", outputName: "probabilities" }));
    expect(output.message).toContain('it has no output named "probabilities" (its outputs: "y")');
  });
});
