import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ExecutorService, PayloadSchema, ResolvedTargetSchema, type ModelStatsDelta, type ResolvedTarget } from "@modelrouter/contracts";
import type { WorkerPool } from "@modelrouter/executor-service/testing";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { latencyBucketOf } from "@modelrouter/policy";
import { ANONYMOUS_ADMIN, Code, createDirectClient, type CallContext } from "@modelrouter/rpc-kit";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { deadExecutor } from "./dead-executor.test-support.js";
import { executeWithFallbacks } from "./execute-with-fallbacks.js";
import type { ExecutorInstance, ExecutorInstances } from "./executor-instances.js";
import { createInstanceBreaker } from "./instance-breaker.js";
import { createInstanceLoad } from "./instance-load.js";
import { createModelStatsCollector } from "./model-stats-collector.js";
import { startZooExecutor } from "./zoo-executor.test-support.js";

const parent: CallContext = {
  method: "/test",
  deadline: Number.POSITIVE_INFINITY,
  signal: new AbortController().signal,
  transport: "direct",
  identity: ANONYMOUS_ADMIN,
  traceContext: ROOT_CONTEXT,
  header: () => undefined,
};

const general = loadDemoModels().find((m) => m.name === "digits-general")!;
const generalTarget: ResolvedTarget = create(ResolvedTargetSchema, { model: { name: general.name, version: general.version }, backend: general.backend });
const digit = loadSampleIndex().find((s) => s.kind === "mnist")!;
const image = create(PayloadSchema, { kind: { case: "image", value: { data: readFileSync(digit.path) } } });

const byInstance = (deltas: readonly ModelStatsDelta[]) =>
  Object.fromEntries(deltas.map((d) => [d.instance, { model: `${d.model?.name}@${d.model?.version}`, requests: d.requests, errors: d.errorsByCode }]));

describe("each attempt of a request counted in the live statistics, on the instance it ran on", () => {
  let pool: WorkerPool;
  let instances: ExecutorInstances;
  let closeDead: () => void;

  beforeAll(async () => {
    const started = await startZooExecutor();
    pool = started.pool;
    const dead = await deadExecutor();
    closeDead = dead.close;
    const list: ExecutorInstance[] = [
      { name: "10.0.0.1:50055", client: dead.client },
      { name: "10.0.0.2:50055", client: createDirectClient(ExecutorService, started.impl, { defaultTimeoutMs: 10_000 }) },
    ];
    instances = { list: () => list, load: createInstanceLoad(), breaker: createInstanceBreaker(() => list.map((i) => i.name)) };
  });
  afterAll(async () => {
    closeDead();
    await pool.close();
  });

  it("counts the failed attempt on the dead instance and the retry that answered on the live one, timed by the observer's clock", async () => {
    let clock = 0;
    // Each reading of the collector's clock is 4 ms after the last: every attempt takes 4 ms by it.
    const collector = createModelStatsCollector({ maxKeys: 10, clock: () => (clock += 4) });
    const execution = await executeWithFallbacks(
      instances,
      { requestId: "r", payload: image, candidates: [generalTarget], deadline: Date.now() + 10_000, maxAttempts: 3 },
      parent,
      Date.now,
      undefined,
      () => 0,
      collector,
    );
    expect(execution.attempts.map((a) => [a.instance, a.code])).toEqual([
      ["10.0.0.1:50055", Code.UNAVAILABLE],
      ["10.0.0.2:50055", Code.OK],
    ]);
    const { deltas } = collector.drain();
    const key = `${general.name}@${general.version}`;
    expect(byInstance(deltas)).toEqual({
      "10.0.0.1:50055": { model: key, requests: 1n, errors: { [Code.UNAVAILABLE]: 1n } },
      "10.0.0.2:50055": { model: key, requests: 1n, errors: {} },
    });
    for (const delta of deltas) {
      expect(delta.latencySumMs).toBe(4);
      expect(delta.latencyBuckets.findIndex((count) => count > 0n)).toBe(latencyBucketOf(4));
    }
  });
});
