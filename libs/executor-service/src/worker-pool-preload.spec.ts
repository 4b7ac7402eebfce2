import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { OnnxBackendSchema } from "@modelrouter/contracts";
import { ErrorReason } from "@modelrouter/errors";
import { type TempModelRoot, type TestExecutor, createTempModelRoot, executeRequest, floatTensorPayload, rejectionOf, startTestExecutor } from "./executor.test-support.js";
import { modelSource, planInference } from "./inference-plan.js";
import { identityModel } from "./onnx-model.test-support.js";

describe("WorkerPool.preload", () => {
  let root: TempModelRoot;
  /** Every executor a test started, closed at the end (closing twice is harmless). */
  const started: TestExecutor[] = [];
  const start = async (size: number): Promise<TestExecutor> => {
    const executor = await startTestExecutor(root.dir, { size });
    started.push(executor);
    return executor;
  };

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("identity.onnx", identityModel("float32", [1, 2]));
    await root.write("other.onnx", identityModel("float32", [1, 2]));
  });

  afterAll(async () => {
    await Promise.all(started.map((executor) => executor.close()));
    await root?.remove();
  });

  const source = (name: string, uri: string) => modelSource(name, "1", create(OnnxBackendSchema, { uri }), root.dir);

  it("loads a session without running it, and a task then runs on the worker that has it", async () => {
    const { pool } = await start(2);
    expect(pool.loadedModels()).toEqual([]);

    await pool.preload(source("identity", "identity.onnx"));
    expect(pool.loadedModels()).toEqual([{ name: "identity", version: "1", workers: 1 }]);
    expect(pool.stats().models.find((m) => m.model === "identity")?.runs ?? 0).toBe(0);

    await pool.run(planInference(executeRequest({ uri: "identity.onnx" }, floatTensorPayload([1, 2], [1, 2]), "identity"), pool.modelRoot));
    expect(pool.loadedModels()).toEqual([{ name: "identity", version: "1", workers: 1 }]);
  }, 60_000);

  it("does not load a model twice, and forgets an unloaded one at once", async () => {
    const { pool } = await start(2);
    await Promise.all([pool.preload(source("identity", "identity.onnx")), pool.preload(source("other", "other.onnx"))]);
    await pool.preload(source("identity", "identity.onnx"));
    expect(pool.loadedModels()).toEqual([
      { name: "identity", version: "1", workers: 1 },
      { name: "other", version: "1", workers: 1 },
    ]);
    pool.unload("identity", "1");
    expect(pool.loadedModels()).toEqual([{ name: "other", version: "1", workers: 1 }]);
  }, 60_000);

  it("fails with MODEL_UNAVAILABLE naming the uri when the file is missing, and loads nothing", async () => {
    const { pool } = await start(1);
    const error = await rejectionOf(pool.preload(source("missing", "missing.onnx")));
    expect(error["reason"]).toBe(ErrorReason.MODEL_UNAVAILABLE);
    expect(error.message).toContain("missing.onnx");
    expect(pool.loadedModels()).toEqual([]);
  }, 60_000);

  it("fails with SERVICE_NOT_READY once the pool is closed", async () => {
    const executor = await start(1);
    await executor.close();
    const error = await rejectionOf(executor.pool.preload(source("identity", "identity.onnx")));
    expect(error["reason"]).toBe(ErrorReason.SERVICE_NOT_READY);
  }, 60_000);
});
