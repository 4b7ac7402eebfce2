import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { clone, create } from "@bufbuild/protobuf";
import {
  BackendSchema,
  ExecutorService,
  ModelRefSchema,
  PayloadSchema,
  ResolvedTargetSchema,
  type ResolvedTarget,
} from "@modelrouter/contracts";
import type { WorkerPool } from "@modelrouter/executor-service/testing";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import {
  ANONYMOUS_ADMIN,
  Code,
  RpcError,
  createDirectClient,
  type CallContext,
  type ServiceClient,
} from "@modelrouter/rpc-kit";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { executeWithFallbacks, type ExecutionPlan } from "./execute-with-fallbacks.js";
import { singleExecutor, type ExecutorInstance, type ExecutorInstances } from "./executor-instances.js";
import { createInstanceBreaker, DEFAULT_BREAKER_SETTINGS, type BreakerSettings } from "./instance-breaker.js";
import { createInstanceLoad, type InstanceLoad } from "./instance-load.js";
import { deadExecutor } from "./dead-executor.test-support.js";
import { startZooExecutor } from "./zoo-executor.test-support.js";
import { wholeAnswerExecutor } from "./whole-answer-executor.test-support.js";

const parent: CallContext = {
  method: "/test",
  deadline: Number.POSITIVE_INFINITY,
  signal: new AbortController().signal,
  transport: "direct",
  identity: ANONYMOUS_ADMIN,
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
    const started = await startZooExecutor();
    pool = started.pool;
    executor = createDirectClient(ExecutorService, started.impl, { defaultTimeoutMs: 10_000 });
  });
  afterAll(() => pool.close());

  const run = (candidates: ResolvedTarget[], overrides: Partial<ExecutionPlan> = {}) =>
    executeWithFallbacks(
      singleExecutor(executor),
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
    expect(execution.error.message).toContain("every attempt failed (gone-a@1 → UNAVAILABLE, gone-b@1 → UNAVAILABLE)");
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

describe("executeWithFallbacks over several executor instances", () => {
  let pool: WorkerPool;
  let live: ServiceClient<typeof ExecutorService>;
  let dead: ServiceClient<typeof ExecutorService>;
  let closeDead: () => void;
  /** An executor that sheds every request, as a saturated one does. */
  const shedding = createDirectClient(
    ExecutorService,
    wholeAnswerExecutor(() => Promise.reject(new RpcError({ code: Code.RESOURCE_EXHAUSTED, message: "the executor is saturated" }))),
    { defaultTimeoutMs: 10_000 },
  );

  beforeAll(async () => {
    const started = await startZooExecutor();
    pool = started.pool;
    live = createDirectClient(ExecutorService, started.impl, { defaultTimeoutMs: 10_000 });
    const deadOne = await deadExecutor();
    dead = deadOne.client;
    closeDead = deadOne.close;
  });
  afterAll(async () => {
    closeDead();
    await pool.close();
  });

  const instances = (list: readonly ExecutorInstance[], load: InstanceLoad = createInstanceLoad(), settings?: BreakerSettings): ExecutorInstances => ({
    list: () => list,
    load,
    breaker: createInstanceBreaker(() => list.map((instance) => instance.name), settings),
  });
  /** Chance that always draws the first option of the power of two choices (or the last, with `last`). */
  const draw = (last = false) => () => (last ? 0.999 : 0);
  const run = (executors: ExecutorInstances, candidates: ResolvedTarget[], random: () => number, overrides: Partial<ExecutionPlan> = {}) =>
    executeWithFallbacks(
      executors,
      { requestId: "r", payload: image, candidates, deadline: Date.now() + 10_000, maxAttempts: 3, ...overrides },
      parent,
      Date.now,
      undefined,
      random,
    );
  const where = (execution: { attempts: readonly { model?: { name: string } | undefined; instance: string; code: number }[] }) =>
    execution.attempts.map((a) => [a.model?.name, a.instance, a.code]);

  it("retries an instance that is unavailable on another instance of the same model before any fallback model", async () => {
    const execution = await run(
      instances([
        { name: "10.0.0.1:50055", client: dead },
        { name: "10.0.0.2:50055", client: live },
      ]),
      [target("digits-general"), target("digits-lite")],
      draw(),
    );
    expect(where(execution)).toEqual([
      ["digits-general", "10.0.0.1:50055", Code.UNAVAILABLE],
      ["digits-general", "10.0.0.2:50055", Code.OK],
    ]);
    expect(execution.ok && execution.instance).toBe("10.0.0.2:50055");
    // The same model answered: a retry on another instance is not a fallback.
    expect(execution.ok && !execution.fallbackUsed).toBe(true);
  });

  /** A breaker that ejects after 2 attempts in a row got no answer, for 1 s, then 2 s. */
  const quickBreaker: BreakerSettings = { ...DEFAULT_BREAKER_SETTINGS, consecutiveFailures: 2, baseEjectionMs: 1000, maxEjectionMs: 10_000 };
  /** Runs requests against `executors` at the time `clock.at`, returning the instances each attempt ran on. */
  const onClock = (executors: ExecutorInstances, clock: { at: number }) => async () => {
    const execution = await executeWithFallbacks(
      executors,
      { requestId: "r", payload: image, candidates: [target("digits-general")], deadline: clock.at + 10_000, maxAttempts: 3 },
      parent,
      () => clock.at,
      undefined,
      draw(),
    );
    expect(execution.ok).toBe(true);
    return where(execution).map(([, instance]) => instance);
  };

  it("ejects an instance that got no answer twice in a row: no request tries it until its ejection ends, then one probe", async () => {
    const executors = instances(
      [
        { name: "down", client: dead },
        { name: "up", client: live },
      ],
      undefined,
      quickBreaker,
    );
    const clock = { at: Date.now() };
    const request = onClock(executors, clock);
    expect(await request()).toEqual(["down", "up"]);
    expect(await request()).toEqual(["down", "up"]);
    expect(executors.breaker.condition("down", clock.at)).toEqual({
      state: "ejected",
      reason: "ejected for 1 s (1st ejection): 2 attempts in a row got no answer (last: UNAVAILABLE)",
    });
    clock.at += 900;
    expect(await request()).toEqual(["up"]);
    expect(await request()).toEqual(["up"]);
    clock.at += 100;
    expect(executors.breaker.condition("down", clock.at).state).toBe("probing");
    expect(await request()).toEqual(["down", "up"]);
    expect(executors.breaker.condition("down", clock.at).reason).toBe("ejected for 2 s (2nd ejection): its probe got no answer (UNAVAILABLE)");
    clock.at += 1900;
    expect(await request()).toEqual(["up"]);
    clock.at += 100;
    expect(await request()).toEqual(["down", "up"]);
  });

  it("brings an ejected instance back once its probe is answered", async () => {
    let restarted = false;
    const restarting: ServiceClient<typeof ExecutorService> = {
      execute: (request, options) => (restarted ? live : dead).execute(request, options),
      executeStream: (request, options) => (restarted ? live : dead).executeStream(request, options),
    };
    const executors = instances(
      [
        { name: "restarting", client: restarting },
        { name: "up", client: live },
      ],
      undefined,
      quickBreaker,
    );
    const clock = { at: Date.now() };
    const request = onClock(executors, clock);
    await request();
    await request();
    expect(executors.breaker.condition("restarting", clock.at).state).toBe("ejected");
    restarted = true;
    expect(await request()).toEqual(["up"]);
    clock.at += 1000;
    expect(await request()).toEqual(["restarting"]);
    expect(executors.breaker.condition("restarting", clock.at)).toEqual({ state: "healthy", reason: "" });
    expect(await request()).toEqual(["restarting"]);
  });

  it("never ejects a saturated instance (RESOURCE_EXHAUSTED) nor one that cannot load a model: it answered", async () => {
    const executors = instances(
      [
        { name: "busy", client: shedding },
        { name: "idle", client: live },
      ],
      undefined,
      quickBreaker,
    );
    for (let i = 0; i < 4; i += 1) {
      await run(executors, [target("digits-general")], draw());
      await run(executors, [target("digits-general", "gone"), target("digits-lite")], draw(true));
    }
    expect(executors.breaker.condition("busy", Date.now()).state).toBe("healthy");
    expect(executors.breaker.condition("idle", Date.now()).state).toBe("healthy");
  });

  it("runs requests on the ejected instances when no other is left (panic mode)", async () => {
    let list: ExecutorInstance[] = [
      { name: "down", client: dead },
      { name: "up", client: live },
    ];
    const executors: ExecutorInstances = {
      list: () => list,
      load: createInstanceLoad(),
      breaker: createInstanceBreaker(() => list.map((instance) => instance.name), quickBreaker),
    };
    const clock = { at: Date.now() };
    const request = onClock(executors, clock);
    await request();
    await request();
    expect(executors.breaker.condition("down", clock.at).state).toBe("ejected");
    list = [
      { name: "down", client: live },
      { name: "other", client: dead },
    ];
    expect(await request()).toEqual(["other", "down"]);
  });

  it("retries a saturated instance (RESOURCE_EXHAUSTED) on another one too", async () => {
    const execution = await run(
      instances([
        { name: "busy", client: shedding },
        { name: "idle", client: live },
      ]),
      [target("digits-general")],
      draw(),
    );
    expect(where(execution)).toEqual([
      ["digits-general", "busy", Code.RESOURCE_EXHAUSTED],
      ["digits-general", "idle", Code.OK],
    ]);
  });

  it("runs on the less loaded of the instances it draws, by the router's calls in flight", async () => {
    const load = createInstanceLoad();
    const end = load.begin("a", create(ModelRefSchema, { name: "digits-general", version: "1" }));
    const execution = await run(
      instances(
        [
          { name: "a", client: live },
          { name: "b", client: live },
        ],
        load,
      ),
      [target("digits-general")],
      draw(),
    );
    end();
    expect(where(execution)).toEqual([["digits-general", "b", Code.OK]]);
  });

  it("runs a fallback model on an instance that has not failed in this request, while one is left", async () => {
    const execution = await run(
      instances([
        { name: "a", client: live },
        { name: "down", client: dead },
        { name: "c", client: live },
      ]),
      [target("digits-general", "gone"), target("digits-lite")],
      draw(true),
      { maxInstanceAttempts: 2 },
    );
    const attempts = where(execution);
    expect(attempts.map(([model, , code]) => [model, code])).toEqual([
      ["gone", Code.UNAVAILABLE],
      ["gone", Code.UNAVAILABLE],
      ["digits-lite", Code.OK],
    ]);
    expect(execution.ok && execution.fallbackUsed).toBe(true);
    const failedOn = [attempts[0]?.[1], attempts[1]?.[1]];
    expect(failedOn[0]).not.toBe(failedOn[1]);
    expect(failedOn).not.toContain(attempts[2]?.[1]);
  });

  it("never runs one model version twice on one instance, and bounds the instances per model", async () => {
    const execution = await run(
      instances([
        { name: "d1", client: dead },
        { name: "d2", client: dead },
        { name: "d3", client: dead },
      ]),
      [target("digits-general"), target("digits-lite")],
      draw(),
      { maxAttempts: 2, maxInstanceAttempts: 2 },
    );
    expect(execution.ok).toBe(false);
    const attempts = where(execution);
    expect(attempts).toHaveLength(4);
    for (const model of ["digits-general", "digits-lite"]) {
      const on = attempts.filter(([name]) => name === model).map(([, instance]) => instance);
      expect(on).toHaveLength(2);
      expect(new Set(on).size).toBe(2);
    }
    if (!execution.ok) expect(execution.error.message).toContain("digits-general@1 on d1 → UNAVAILABLE");
  });

  it("ends at once on a failure another instance would repeat (a payload the model cannot take)", async () => {
    const text = create(PayloadSchema, { kind: { case: "text", value: "seven" } });
    const execution = await run(
      instances([
        { name: "a", client: live },
        { name: "b", client: live },
      ]),
      [target("digits-general"), target("digits-lite")],
      draw(),
      { payload: text },
    );
    expect(where(execution)).toEqual([["digits-general", "a", Code.INVALID_ARGUMENT]]);
  });

  it("fails UNAVAILABLE, saying why, when no instance is known", async () => {
    const execution = await run(instances([]), [target("digits-general")], draw());
    expect(execution.ok).toBe(false);
    if (execution.ok) return;
    expect(execution.error.code).toBe(Code.UNAVAILABLE);
    expect(execution.error.message).toContain("no executor instance is known");
    expect(execution.attempts).toHaveLength(0);
  });
});
