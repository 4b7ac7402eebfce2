import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
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
import { planInference } from "./inference-plan.js";
import { identityModel, slowModel } from "./onnx-model.test-support.js";
import type { WorkerPool } from "./worker-pool.js";

const N = 512;

/** A mirrored request for the identity model `name`. */
function shadowRequest(name: string) {
  const request = executeRequest({ uri: "identity.onnx" }, floatTensorPayload([1, 2], [1, 2]), name);
  request.shadow = true;
  return request;
}

describe("shadow (mirrored) requests at the executor", () => {
  let root: TempModelRoot;
  let executor: TestExecutor | undefined;

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("long.onnx", slowModel(N, 60, 256));
    await root.write("identity.onnx", identityModel("float32", [1, 2]));
  });

  afterEach(async () => {
    await executor?.close();
    executor = undefined;
  });

  afterAll(async () => {
    await root?.remove();
  });

  const task = (pool: WorkerPool, uri: string, name: string) =>
    planInference(
      executeRequest(
        { uri },
        uri === "identity.onnx" ? floatTensorPayload([1, 2], [1, 2]) : floatTensorPayload([1, N], new Array<number>(N).fill(1)),
        name,
      ),
      pool.modelRoot,
    );

  it("runs a shadow request when nothing waits", async () => {
    executor = await startTestExecutor(root.dir);
    const response = await executor.client.execute(shadowRequest("mirror"));
    expect(response.outputs).toHaveLength(1);
  });

  it("refuses a shadow with RESOURCE_EXHAUSTED, without queueing it, when a task waits", async () => {
    executor = await startTestExecutor(root.dir, { maxQueued: 64 });
    const { pool, client } = executor;
    const blocker = pool.run(task(pool, "long.onnx", "busy-long"));
    const waiting = pool.run(task(pool, "identity.onnx", "mirror"));
    expect(pool.stats()).toMatchObject({ inFlight: 1, queued: 1 });
    const refused = await rejectionOf(client.execute(shadowRequest("mirror")));
    expect(refused["code"]).toBe(Code.RESOURCE_EXHAUSTED);
    expect(refused).toMatchObject({ reason: "OVERLOADED", metadata: expect.objectContaining({ bound: "shadow" }) });
    expect(refused.message).toContain("shed first");
    expect(pool.stats()).toMatchObject({ queued: 1 });
    await Promise.all([blocker, waiting]);
  });

  it("refuses a shadow when every worker is busy, even with nothing queued; a real request of the model still queues", async () => {
    executor = await startTestExecutor(root.dir, { maxQueued: 4 });
    const { pool, client } = executor;
    const blocker = pool.run(task(pool, "long.onnx", "busy-long"));
    expect(pool.stats()).toMatchObject({ inFlight: 1, queued: 0 });
    const refused = await rejectionOf(client.execute(shadowRequest("mirror")));
    expect(refused["code"]).toBe(Code.RESOURCE_EXHAUSTED);
    expect(refused).toMatchObject({ metadata: expect.objectContaining({ bound: "shadow" }) });
    const real = pool.run(task(pool, "identity.onnx", "mirror"));
    expect(pool.stats()).toMatchObject({ queued: 1 });
    await Promise.all([blocker, real]);
  });

  it("runs a shadow on an idle worker while another worker is busy", async () => {
    executor = await startTestExecutor(root.dir, { size: 2 });
    const { pool, client } = executor;
    const blocker = pool.run(task(pool, "long.onnx", "busy-long"));
    const response = await client.execute(shadowRequest("mirror"));
    expect(response.outputs).toHaveLength(1);
    await blocker;
  });
});
