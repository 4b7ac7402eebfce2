import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import {
  type TempModelRoot,
  type TestExecutor,
  createTempModelRoot,
  executeRequest,
  floatTensorPayload,
  startTestExecutor,
} from "./executor.test-support.js";
import { planInference } from "./inference-plan.js";
import { encodeOnnxModel, identityModel, slowModel } from "./onnx-model.test-support.js";
import type { InferenceResult, WorkerPool } from "./worker-pool.js";

/** y = x · W for x of shape [batch, 4]: a model whose first dimension is a batch axis. */
const W = Float32Array.from([1, 0, 2, 0, 1, -1, 3, 1, 0, -2, 0.5, 1]);

function batchableModel(): Uint8Array {
  return encodeOnnxModel({
    inputs: [{ name: "x", type: "float32", dims: ["batch", 4] }],
    outputs: [{ name: "y", type: "float32", dims: ["batch", 3] }],
    nodes: [{ op: "MatMul", inputs: ["x", "w"], outputs: ["y"] }],
    initializers: [{ name: "w", dims: [4, 3], values: W }],
  });
}

/** x · W computed here, row by row. */
function expected(rows: number[][]): number[] {
  return rows.flatMap((row) => [0, 1, 2].map((j) => row.reduce((sum, x, i) => sum + x * (W[i * 3 + j] ?? 0), 0)));
}

const errorOf = (error: unknown): Error & Record<string, unknown> => error as Error & Record<string, unknown>;

const rowsOf = (k: number, count = 1): number[][] => Array.from({ length: count }, (_, r) => [k, k + 1 + r, -k, 2 * k - r]);

describe("dynamic batching in the worker pool", () => {
  let root: TempModelRoot;
  let executor: TestExecutor | undefined;

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("batchable.onnx", batchableModel());
    await root.write("fixed.onnx", identityModel("float32", [1, 4]));
    // about 100 ms per run on one core: keeps the only worker busy while tasks queue behind it
    await root.write("long.onnx", slowModel(512, 60, 256));
    await root.write("two-outputs.onnx", twoOutputModel());
  });

  afterEach(async () => {
    await executor?.close();
    executor = undefined;
  });

  afterAll(async () => {
    await root?.remove();
  });

  const task = (pool: WorkerPool, rows: number[][], uri = "batchable.onnx", name = "batchable") =>
    planInference(executeRequest({ uri }, floatTensorPayload([rows.length, 4], rows.flat()), name), pool.modelRoot);

  const blocker = (pool: WorkerPool): Promise<InferenceResult> =>
    pool.run(planInference(executeRequest({ uri: "long.onnx" }, floatTensorPayload([1, 512], new Array<number>(512).fill(1)), "long"), pool.modelRoot));

  const statsOf = (pool: WorkerPool, name: string) => pool.stats().models.find((m) => m.model === name);

  const valuesOf = (result: InferenceResult): number[] => {
    const output = result.outputs[0];
    if (output?.kind !== "tensor") throw new Error(`expected a tensor output, got ${output?.kind}`);
    return Array.from(output.values as Float32Array);
  };

  /** Learns that the model is batchable (from its first run), then queues `tasks` behind a long run. */
  const queuedBehindBlocker = async <T>(pool: WorkerPool, submit: () => T): Promise<T> => {
    await pool.run(task(pool, rowsOf(0)));
    const blocking = blocker(pool);
    const submitted = submit();
    await blocking;
    return submitted;
  };

  it("runs queued tasks of a batchable model together and answers each as if it ran alone", async () => {
    executor = await startTestExecutor(root.dir, { maxBatchSize: 4, maxBatchDelayMs: 1_000 });
    const { pool } = executor;
    const inputs = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => rowsOf(k));
    const results = await Promise.all(await queuedBehindBlocker(pool, () => inputs.map((rows) => pool.run(task(pool, rows)))));
    results.forEach((result, i) => {
      expect(result.outputs[0]).toMatchObject({ kind: "tensor", name: "y", shape: [1, 3] });
      expect(valuesOf(result)).toEqual(expected(inputs[i] ?? []).map((v) => expect.closeTo(v, 4)));
    });
    expect(statsOf(pool, "batchable")).toMatchObject({ completed: 9, runs: 3, batchSizes: { "1": 1, "4": 2 } });
  });

  it("gives the same answers with batching off and on", async () => {
    const inputs = [1, 2, 3, 4, 5, 6].map((k) => rowsOf(k, 1 + (k % 3)));
    const answers: number[][][] = [];
    for (const maxBatchSize of [1, 6]) {
      executor = await startTestExecutor(root.dir, { maxBatchSize, maxBatchDelayMs: 1_000 });
      const { pool } = executor;
      const results = await Promise.all(await queuedBehindBlocker(pool, () => inputs.map((rows) => pool.run(task(pool, rows)))));
      answers.push(results.map(valuesOf));
      expect(statsOf(pool, "batchable")?.runs).toBe(maxBatchSize === 1 ? 7 : 2);
      await executor.close();
      executor = undefined;
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]).toEqual(inputs.map((rows) => expected(rows).map((v) => expect.closeTo(v, 4))));
  });

  it("fails only the task that does not fit the model, not its batch neighbours", async () => {
    executor = await startTestExecutor(root.dir, { maxBatchSize: 4, maxBatchDelayMs: 1_000 });
    const { pool } = executor;
    const bad = planInference(executeRequest({ uri: "batchable.onnx" }, floatTensorPayload([1, 5], [1, 2, 3, 4, 5]), "batchable"), pool.modelRoot);
    const settled = await queuedBehindBlocker(pool, () =>
      [task(pool, rowsOf(1)), bad, task(pool, rowsOf(2)), task(pool, rowsOf(3))].map((t) => pool.run(t).then(valuesOf, errorOf)),
    );
    const [first, refused, second, third] = await Promise.all(settled);
    expect(refused).toMatchObject({ reason: "PAYLOAD_UNSUPPORTED" });
    expect([first, second, third]).toEqual([1, 2, 3].map((k) => expected(rowsOf(k)).map((v) => expect.closeTo(v, 4))));
    expect(statsOf(pool, "batchable")).toMatchObject({ completed: 4, failed: 1, batchSizes: { "1": 1, "3": 1 } });
  });

  it("drops tasks whose deadline passes while they wait for a batch, and never runs them", async () => {
    executor = await startTestExecutor(root.dir, { maxBatchSize: 8, maxBatchDelayMs: 200 });
    const { pool } = executor;
    const settled = await queuedBehindBlocker(pool, () =>
      [1, 2, 3, 4].map((k) => pool.run(task(pool, rowsOf(k)), k % 2 === 0 ? { deadline: Date.now() + 5 } : {}).then(valuesOf, errorOf)),
    );
    const [first, late, third, later] = await Promise.all(settled);
    expect(late).toMatchObject({ reason: "DEADLINE_EXCEEDED" });
    expect(later).toMatchObject({ reason: "DEADLINE_EXCEEDED" });
    expect([first, third]).toEqual([1, 3].map((k) => expected(rowsOf(k)).map((v) => expect.closeTo(v, 4))));
    expect(statsOf(pool, "batchable")).toMatchObject({ completed: 3, expired: 2, dropped: 2, runs: 2, batchSizes: { "1": 1, "2": 1 } });
  });

  it("drops a task of a batch whose deadline passes while the worker runs its neighbours, before its own run", async () => {
    executor = await startTestExecutor(root.dir, { maxBatchSize: 2, maxBatchDelayMs: 1_000 });
    const { pool } = executor;
    const twoOutputs = (outputName: string, rows: number, deadline?: number) =>
      pool.run(
        planInference(
          executeRequest({ uri: "two-outputs.onnx", outputName }, floatTensorPayload([rows, 256], new Array<number>(rows * 256).fill(1)), "two"),
          pool.modelRoot,
        ),
        deadline === undefined ? {} : { deadline },
      );
    await twoOutputs("copy", 1);
    // the two tasks ask for different outputs: one batch, two runs, the slow one first
    const slow = twoOutputs("deep", 1024);
    const late = twoOutputs("copy", 1, Date.now() + 20).then(() => undefined, errorOf);
    await slow;
    expect(await late).toMatchObject({ reason: "DEADLINE_EXCEEDED" });
    // the worker's answer for the dropped task comes after the pool has already answered its caller: poll
    for (let tries = 0; tries < 100 && statsOf(pool, "two")?.dropped !== 1; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(statsOf(pool, "two")).toMatchObject({ completed: 2, expired: 1, dropped: 1, runs: 2, batchSizes: { "1": 2 } });
  });

  it("waits at most maxBatchDelayMs for a batch to fill when workers are free", async () => {
    executor = await startTestExecutor(root.dir, { maxBatchSize: 64, maxBatchDelayMs: 1 });
    const { pool } = executor;
    await pool.run(task(pool, rowsOf(0)));
    const lone = await pool.run(task(pool, rowsOf(5)));
    expect(valuesOf(lone)).toEqual(expected(rowsOf(5)).map((v) => expect.closeTo(v, 4)));
    expect(statsOf(pool, "batchable")).toMatchObject({ completed: 2, runs: 2, batchSizes: { "1": 2 } });
  });

  it("never batches a model whose input has a fixed first dimension", async () => {
    executor = await startTestExecutor(root.dir, { maxBatchSize: 8, maxBatchDelayMs: 1_000 });
    const { pool } = executor;
    await pool.run(task(pool, rowsOf(0), "fixed.onnx", "fixed"));
    const blocking = blocker(pool);
    const results = [1, 2, 3].map((k) => pool.run(task(pool, rowsOf(k), "fixed.onnx", "fixed")));
    await blocking;
    expect((await Promise.all(results)).map(valuesOf)).toEqual([1, 2, 3].map((k) => rowsOf(k)[0]));
    expect(statsOf(pool, "fixed")).toMatchObject({ completed: 4, runs: 4, batchSizes: { "1": 4 } });
  });
});

/**
 * `x` [batch, 256]: output `deep` is x multiplied 40 times by a 256 × 256 matrix (slow for many rows), output
 * `copy` is x itself (instant).
 */
function twoOutputModel(): Uint8Array {
  const depth = 40;
  const nodes = Array.from({ length: depth }, (_, i) => ({
    op: "MatMul",
    inputs: [i === 0 ? "x" : `h${i}`, "w"],
    outputs: [i === depth - 1 ? "deep" : `h${i + 1}`],
  }));
  return encodeOnnxModel({
    inputs: [{ name: "x", type: "float32", dims: ["batch", 256] }],
    outputs: [
      { name: "deep", type: "float32", dims: ["batch", 256] },
      { name: "copy", type: "float32", dims: ["batch", 256] },
    ],
    nodes: [...nodes, { op: "Identity", inputs: ["x"], outputs: ["copy"] }],
    initializers: [{ name: "w", dims: [256, 256], values: new Float32Array(256 * 256).fill(1 / 256) }],
  });
}
