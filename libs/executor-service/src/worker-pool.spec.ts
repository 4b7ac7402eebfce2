import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import {
  type TempModelRoot,
  type TestExecutor,
  builtWorkerUrl,
  createTempModelRoot,
  executeRequest,
  floatTensorPayload,
  rejectionOf,
  startTestExecutor,
  writeCrashingWorker,
} from "./executor.test-support.js";
import { planInference } from "./inference-plan.js";
import { encodeOnnxModel, identityModel, slowModel } from "./onnx-model.test-support.js";
import { type WorkerPool, createWorkerPool } from "./worker-pool.js";

const N = 512;

describe("createWorkerPool", () => {
  let root: TempModelRoot;
  let executor: TestExecutor | undefined;

  beforeAll(async () => {
    root = await createTempModelRoot();
    // about 30 ms per run on one core of the development machine, 100 ms for the "long" one
    await root.write("slow.onnx", slowModel(N, 20, 256));
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

  /** A planned task for `uri` under the model root, with a tensor the slow models take. */
  const task = (pool: WorkerPool, uri: string, name = "slow") =>
    planInference(
      executeRequest(
        { uri },
        uri === "identity.onnx" ? floatTensorPayload([1, 2], [1, 2]) : floatTensorPayload([1, N], new Array<number>(N).fill(1)),
        name,
      ),
      pool.modelRoot,
    );

  const statsOf = (pool: WorkerPool, name: string) => pool.stats().models.find((m) => m.model === name);

  it("runs tasks and reports per-model counts and latency sums", async () => {
    executor = await startTestExecutor(root.dir);
    const { pool } = executor;
    const results = await Promise.all([1, 2, 3].map(() => pool.run(task(pool, "slow.onnx"))));
    expect(results.map((r) => r.outputs[0])).toEqual(
      [1, 2, 3].map(() => expect.objectContaining({ kind: "tensor", name: "y", shape: [1, 1] })),
    );
    expect(pool.stats()).toMatchObject({ workers: 1, readyWorkers: 1, inFlight: 0, queued: 0, workerRestarts: 0 });
    const stats = statsOf(pool, "slow");
    expect(stats).toMatchObject({ version: "1", completed: 3, failed: 0, inFlight: 0, queued: 0 });
    expect(stats?.inferenceMsSum).toBeGreaterThan(0);
    expect(stats?.queueMsSum).toBeGreaterThan(0);
  });

  it("runs a model proven cheap on its own thread while tasks do not overlap, and hands overlapping tasks to the workers", async () => {
    executor = await startTestExecutor(root.dir, { inlineBelowMs: 10 });
    const { pool } = executor;
    const one = async (uri: string, name: string) => (await pool.run(task(pool, uri, name))).outputs[0];
    const inWorker: unknown[] = [];
    for (let i = 0; i < 32; i++) inWorker.push(await one("identity.onnx", "cheap"));
    const measured = statsOf(pool, "cheap")?.inlineRuns;
    const inline: unknown[] = [];
    for (let i = 0; i < 10; i++) inline.push(await one("identity.onnx", "cheap"));
    const afterSequential = statsOf(pool, "cheap")?.inlineRuns;
    const overlapping = await Promise.all(Array.from({ length: 20 }, () => one("identity.onnx", "cheap")));
    const afterOverlap = statsOf(pool, "cheap")?.inlineRuns ?? 0;
    for (let i = 0; i < 34; i++) await one("slow.onnx", "costly");
    expect({
      measured,
      afterSequential,
      overlapRunInlineAtMostOnce: afterOverlap - (afterSequential ?? 0) <= 1,
      costly: statsOf(pool, "costly")?.inlineRuns,
      sameAnswers: [...inline, ...overlapping].every((output) => JSON.stringify(output) === JSON.stringify(inWorker[0])),
      completed: statsOf(pool, "cheap")?.completed,
    }).toEqual({ measured: 0, afterSequential: 10, overlapRunInlineAtMostOnce: true, costly: 0, sameAnswers: true, completed: 62 });
  }, 120_000);

  it("refuses a task at once with OVERLOADED (RESOURCE_EXHAUSTED) when the queue is full", async () => {
    executor = await startTestExecutor(root.dir, { maxQueued: 2 });
    const { pool, client } = executor;
    const accepted = [1, 2, 3].map(() => pool.run(task(pool, "slow.onnx")));
    expect(pool.stats()).toMatchObject({ inFlight: 1, queued: 2 });
    expect(statsOf(pool, "slow")).toMatchObject({ inFlight: 1, queued: 2 });
    const refused = await rejectionOf(
      client.execute(executeRequest({ uri: "slow.onnx" }, floatTensorPayload([1, N], new Array<number>(N).fill(1)), "slow")),
    );
    expect(refused["code"]).toBe(Code.RESOURCE_EXHAUSTED);
    expect(refused["reason"]).toBe("OVERLOADED");
    await Promise.all(accepted);
    expect(statsOf(pool, "slow")).toMatchObject({ completed: 3, rejected: 1, inFlight: 0, queued: 0 });
  });

  it("bounds each model's queue on its own and says when to retry, from the queue's drain rate", async () => {
    executor = await startTestExecutor(root.dir, { maxQueued: 64, maxQueuedPerModel: 2 });
    const { pool, client } = executor;
    // one run measures the model's drain rate
    await pool.run(task(pool, "identity.onnx", "busy"));
    const blocker = pool.run(task(pool, "long.onnx"));
    const accepted = [1, 2].map(() => pool.run(task(pool, "identity.onnx", "busy")));
    const refused = await rejectionOf(client.execute(executeRequest({ uri: "identity.onnx" }, floatTensorPayload([1, 2], [1, 2]), "busy")));
    expect(refused["code"]).toBe(Code.RESOURCE_EXHAUSTED);
    expect(refused).toMatchObject({ reason: "OVERLOADED", metadata: expect.objectContaining({ bound: "model", queued: "2", limit: "2" }) });
    const retryAfterMs = Number((refused["metadata"] as Record<string, string>)["retryAfterMs"]);
    expect(retryAfterMs).toBeGreaterThanOrEqual(10);
    expect(retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(refused.message).toContain(`retry in ${retryAfterMs} ms`);
    // another model still gets in
    const other = pool.run(task(pool, "identity.onnx", "other"));
    await Promise.all([blocker, ...accepted, other]);
    expect(statsOf(pool, "busy")).toMatchObject({ completed: 3, rejected: 1 });
    expect(statsOf(pool, "other")).toMatchObject({ completed: 1, rejected: 0 });
  });

  it("serves the models with waiting tasks in turn, so that one model's burst does not starve another", async () => {
    executor = await startTestExecutor(root.dir);
    const { pool } = executor;
    const order: string[] = [];
    const blocker = pool.run(task(pool, "long.onnx"));
    const runs = [
      ...Array.from({ length: 6 }, () => pool.run(task(pool, "identity.onnx", "burst")).then(() => order.push("burst"))),
      ...Array.from({ length: 2 }, () => pool.run(task(pool, "identity.onnx", "quiet")).then(() => order.push("quiet"))),
    ];
    await Promise.all([blocker, ...runs]);
    expect(order).toEqual(["burst", "quiet", "burst", "quiet", "burst", "burst", "burst", "burst"]);
  });

  it("unloads a model version's sessions when asked, so that its next task loads the file again", async () => {
    executor = await startTestExecutor(root.dir);
    const { pool } = executor;
    await root.write("swap.onnx", identityModel("float32", [1, 2]));
    const swapTask = () => planInference(executeRequest({ uri: "swap.onnx" }, floatTensorPayload([1, 2], [1, 2]), "swap"), pool.modelRoot);
    const valuesOf = async () => {
      const output = (await pool.run(swapTask())).outputs[0];
      return output?.kind === "tensor" ? Array.from(output.values as Float32Array) : [];
    };
    expect(await valuesOf()).toEqual([1, 2]);
    await root.write("swap.onnx", negateModel());
    expect(await valuesOf()).toEqual([1, 2]);
    pool.unload("swap", "2");
    expect(await valuesOf()).toEqual([1, 2]);
    pool.unload("swap", "1");
    expect(await valuesOf()).toEqual([-1, -2]);
  });

  it("unloads a model left idle longer than sessionIdleMs", async () => {
    executor = await startTestExecutor(root.dir, { sessionIdleMs: 200 });
    const { pool } = executor;
    await root.write("idle.onnx", identityModel("float32", [1, 2]));
    const idleTask = () => planInference(executeRequest({ uri: "idle.onnx" }, floatTensorPayload([1, 2], [3, 4]), "idle"), pool.modelRoot);
    const valuesOf = async () => {
      const output = (await pool.run(idleTask())).outputs[0];
      return output?.kind === "tensor" ? Array.from(output.values as Float32Array) : [];
    };
    expect(await valuesOf()).toEqual([3, 4]);
    await root.write("idle.onnx", negateModel());
    // the worker sweeps idle sessions every 100 ms; poll instead of timing it (the machine is noisy)
    let values = await valuesOf();
    for (let tries = 0; tries < 100 && values[0] === 3; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      values = await valuesOf();
    }
    expect(values).toEqual([-3, -4]);
  });

  it("fails a task whose deadline has already passed without queueing it (DEADLINE_EXCEEDED)", async () => {
    executor = await startTestExecutor(root.dir);
    const { pool } = executor;
    const error = await rejectionOf(pool.run(task(pool, "identity.onnx", "late"), { deadline: Date.now() - 1 }));
    expect(error).toMatchObject({ reason: "DEADLINE_EXCEEDED" });
    expect(statsOf(pool, "late")).toMatchObject({ expired: 1, dropped: 1, completed: 0, queued: 0 });
  });

  it("drops a waiting task when its deadline passes, before it runs", async () => {
    executor = await startTestExecutor(root.dir);
    const { pool } = executor;
    const blocker = pool.run(task(pool, "long.onnx"));
    // the file does not exist: had the task run, it would fail with MODEL_UNAVAILABLE
    const waiting = pool.run(task(pool, "never-loaded.onnx", "waiting"), { deadline: Date.now() + 5 });
    const error = await rejectionOf(waiting);
    expect(error).toMatchObject({ reason: "DEADLINE_EXCEEDED", message: "the deadline passed while it waited for a worker" });
    await blocker;
    expect(statsOf(pool, "waiting")).toMatchObject({ expired: 1, dropped: 1, failed: 0, queued: 0, inFlight: 0, runs: 0 });
  });

  it("answers DEADLINE_EXCEEDED when the deadline passes while the model runs, and keeps serving", async () => {
    executor = await startTestExecutor(root.dir);
    const { pool } = executor;
    const error = await rejectionOf(pool.run(task(pool, "long.onnx", "overdue"), { deadline: Date.now() + 5 }));
    expect(error).toMatchObject({ reason: "DEADLINE_EXCEEDED" });
    const next = await pool.run(task(pool, "identity.onnx", "next"));
    expect(next.outputs).toHaveLength(1);
    expect(statsOf(pool, "overdue")).toMatchObject({ expired: 1, completed: 0, inFlight: 0 });
  });

  it("removes a cancelled task from the queue", async () => {
    executor = await startTestExecutor(root.dir);
    const { pool } = executor;
    const blocker = pool.run(task(pool, "long.onnx"));
    const controller = new AbortController();
    const waiting = pool.run(task(pool, "never-loaded.onnx", "cancelled"), { signal: controller.signal });
    expect(pool.stats().queued).toBe(1);
    controller.abort();
    expect(await rejectionOf(waiting)).toMatchObject({ reason: "CANCELLED" });
    expect(pool.stats().queued).toBe(0);
    await blocker;
    expect(statsOf(pool, "cancelled")).toMatchObject({ cancelled: 1, failed: 0, inFlight: 0 });
  });

  it("replaces a crashed worker and fails its task with MODEL_UNAVAILABLE (UNAVAILABLE)", async () => {
    executor = await startTestExecutor(root.dir, { workerUrl: await writeCrashingWorker(root.dir) });
    const { pool, client, logs } = executor;
    const crashed = await rejectionOf(
      client.execute(executeRequest({ uri: "identity.onnx" }, floatTensorPayload([1, 2], [1, 2]), "crash-now")),
    );
    expect(crashed["code"]).toBe(Code.UNAVAILABLE);
    expect(crashed["reason"]).toBe("MODEL_UNAVAILABLE");
    expect(crashed.message).toContain("the worker running it crashed");
    const after = await client.execute(executeRequest({ uri: "identity.onnx" }, floatTensorPayload([1, 2], [5, 6])));
    expect(after.outputs).toHaveLength(1);
    expect(pool.stats()).toMatchObject({ workerRestarts: 1, readyWorkers: 1 });
    expect(logs).toContainEqual(
      expect.objectContaining({ level: "error", msg: "ONNX worker stopped unexpectedly; replacing it", exitCode: 70 }),
    );
  });

  it("keeps the event loop free while a batch of inferences runs", async () => {
    executor = await startTestExecutor(root.dir, { size: 2 });
    const { pool } = executor;
    const batch = 16;
    let completed = 0;
    let settled = false;
    let completedAtFirstTurn: number | undefined;
    let turns = 0;
    const all = Promise.all(Array.from({ length: batch }, () => pool.run(task(pool, "slow.onnx")).then(() => completed++)));
    void all.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise<void>((resolve) => {
      const turn = (): void => {
        completedAtFirstTurn ??= completed;
        turns++;
        if (settled) resolve();
        else setImmediate(turn);
      };
      setImmediate(turn);
    });
    await all;
    // each inference would block the loop for its whole run if it ran on it: then the loop could turn
    // about once per inference; with the workers it turns freely while they compute
    expect(completedAtFirstTurn).toBe(0);
    expect(turns).toBeGreaterThan(4 * batch);
  });

  it("fails waiting and running tasks when closed, and refuses new ones", async () => {
    executor = await startTestExecutor(root.dir);
    const { pool } = executor;
    const running = rejectionOf(pool.run(task(pool, "long.onnx")));
    const waiting = rejectionOf(pool.run(task(pool, "identity.onnx")));
    await pool.close();
    expect(await running).toMatchObject({ reason: "SERVICE_NOT_READY" });
    expect(await waiting).toMatchObject({ reason: "SERVICE_NOT_READY" });
    expect(await rejectionOf(pool.run(task(pool, "identity.onnx")))).toMatchObject({ reason: "SERVICE_NOT_READY" });
    expect(pool.stats().readyWorkers).toBe(0);
  });

  it("reports a worker that cannot start through ready()", async () => {
    const lines: string[] = [];
    const pool = createWorkerPool({
      modelRoot: root.dir,
      size: 1,
      workerUrl: new URL("./no-such-worker.js", builtWorkerUrl()),
      logger: createLogger({ service: "test", write: (line) => lines.push(line) }),
    });
    try {
      expect(await rejectionOf(pool.ready())).toMatchObject({ reason: "MODEL_UNAVAILABLE" });
      expect(lines.join("\n")).toContain("no-such-worker.js");
    } finally {
      await pool.close();
    }
  });
});

/** `x` [1, 2] → Neg → `y`: answers differently from the identity model, so a reload shows. */
function negateModel(): Uint8Array {
  return encodeOnnxModel({
    inputs: [{ name: "x", type: "float32", dims: [1, 2] }],
    outputs: [{ name: "y", type: "float32", dims: [1, 2] }],
    nodes: [{ op: "Neg", inputs: ["x"], outputs: ["y"] }],
  });
}
