import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { clone, create } from "@bufbuild/protobuf";
import {
  BackendSchema,
  ExecutorService,
  PayloadSchema,
  ResolvedTargetSchema,
  type ResolvedTarget,
} from "@modelrouter/contracts";
import { createExecutorService, createWorkerPool, type WorkerPool } from "@modelrouter/executor-service/testing";
import { loadDemoModels, loadSampleIndex, modelZooDir } from "@modelrouter/model-zoo";
import { Code, createDirectClient, type CallContext, type ServiceClient } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { executeWithFallbacks, type ExecutionPlan } from "./execute-with-fallbacks.js";

const quiet = createLogger({ service: "test", write: () => undefined });
const parent: CallContext = {
  method: "/test",
  deadline: Number.POSITIVE_INFINITY,
  signal: new AbortController().signal,
  transport: "direct",
  traceContext: ROOT_CONTEXT,
  header: () => undefined,
};

/** A zoo model as a decision target; with `missingAs`, a renamed copy whose file does not exist. */
function target(name: string, missingAs?: string): ResolvedTarget {
  const model = loadDemoModels().find((m) => m.name === name)!;
  const backend = clone(BackendSchema, model.backend!);
  if (missingAs !== undefined && backend.kind.case === "onnx") {
    backend.kind.value.uri = `${missingAs}/model.onnx`;
    backend.kind.value.sha256 = "";
  }
  return create(ResolvedTargetSchema, { model: { name: missingAs ?? model.name, version: model.version }, backend });
}

const digit = loadSampleIndex().find((s) => s.kind === "mnist")!;
const image = create(PayloadSchema, { kind: { case: "image", value: { data: readFileSync(digit.path) } } });

describe("executeWithFallbacks, with a real executor", () => {
  let pool: WorkerPool;
  let executor: ServiceClient<typeof ExecutorService>;

  beforeAll(async () => {
    pool = createWorkerPool({
      modelRoot: modelZooDir(),
      size: 1,
      logger: quiet,
      workerUrl: new URL("../../executor-service/dist/onnx-worker.js", import.meta.url),
    });
    await pool.ready();
    executor = createDirectClient(ExecutorService, createExecutorService({ pool, logger: quiet }), { defaultTimeoutMs: 10_000 });
  });
  afterAll(() => pool.close());

  const run = (candidates: ResolvedTarget[], overrides: Partial<ExecutionPlan> = {}) =>
    executeWithFallbacks(
      executor,
      { requestId: "r", payload: image, candidates, deadline: Date.now() + 10_000, maxAttempts: 3, ...overrides },
      parent,
      Date.now,
    );

  it("answers with the first candidate when it works: one attempt", async () => {
    const execution = await run([target("digits-general"), target("digits-lite")]);
    expect(execution.ok).toBe(true);
    expect(execution.attempts.map((a) => [a.model?.name, a.code])).toEqual([["digits-general", Code.OK]]);
  });

  it("moves on after a retryable failure (the model cannot be loaded), within the plan", async () => {
    const execution = await run([target("digits-general", "gone-a"), target("digits-general", "gone-b"), target("digits-lite")]);
    expect(execution.ok && execution.served.model?.name).toBe("digits-lite");
    expect(execution.attempts.map((a) => [a.model?.name, a.code])).toEqual([
      ["gone-a", Code.UNAVAILABLE],
      ["gone-b", Code.UNAVAILABLE],
      ["digits-lite", Code.OK],
    ]);
  });

  it("never tries the same model version twice", async () => {
    const gone = target("digits-general", "gone");
    const execution = await run([gone, gone, target("digits-lite")]);
    expect(execution.attempts.map((a) => a.model?.name)).toEqual(["gone", "digits-lite"]);
  });

  it("stops at maxAttempts, failing with the last error and listing what was tried", async () => {
    const execution = await run([target("digits-general", "gone-a"), target("digits-general", "gone-b"), target("digits-lite")], { maxAttempts: 2 });
    expect(execution.ok).toBe(false);
    if (execution.ok) return;
    expect(execution.attempts).toHaveLength(2);
    expect(execution.error.code).toBe(Code.UNAVAILABLE);
    expect(execution.error.message).toContain("every model failed (gone-a@1 → UNAVAILABLE, gone-b@1 → UNAVAILABLE)");
    expect(execution.error.metadata).toMatchObject({ attempts: "2" });
  });

  it("does not fall back after a failure another model would repeat (a payload the model cannot take)", async () => {
    const text = create(PayloadSchema, { kind: { case: "text", value: "seven" } });
    const execution = await run([target("digits-general"), target("digits-lite")], { payload: text });
    expect(execution.ok).toBe(false);
    if (execution.ok) return;
    expect(execution.error.code).toBe(Code.INVALID_ARGUMENT);
    expect(execution.attempts.map((a) => a.model?.name)).toEqual(["digits-general"]);
  });

  it("tries nothing when the deadline has already passed", async () => {
    const execution = await run([target("digits-general")], { deadline: Date.now() - 1 });
    expect(execution.ok).toBe(false);
    if (execution.ok) return;
    expect(execution.error.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(execution.attempts).toHaveLength(0);
  });
});
