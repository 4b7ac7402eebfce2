import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { clone, fromJson, type MessageInitShape } from "@bufbuild/protobuf";
import { DecisionService, ModelSchema, PolicySchema, type InferRequestSchema, type InputProfile } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { createGrpcClient, type ServiceClient } from "@modelrouter/rpc-kit";
import { createProcessGroup, freePort, repoRoot, startModelrouter, type ProcessGroup, type RunningSystem } from "@modelrouter/testing";

type InferInit = MessageInitShape<typeof InferRequestSchema>;

const sample = loadSampleIndex().find((s) => s.kind === "mnist")!;
const imageRequest: InferInit = {
  payload: { kind: { case: "image", value: { data: readFileSync(sample.path), mimeType: "image/png" } } },
  policy: "reload",
};

/** The policy under change: every digit image to one named model (its highest ACTIVE version). */
const policyTo = (model: string) =>
  fromJson(PolicySchema, {
    name: "reload",
    priority: 10,
    when: 'input.modality == "image"',
    defaultRoute: { targets: [{ model: { name: model } }] },
  });

interface Observation {
  readonly at: number;
  readonly model: string;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * Calls `decide` every `intervalMs` until stopped, remembering what each call decided. The steady rate is the
 * point: a change must show up in a stream of requests none of which fails.
 */
function steadyTraffic(decide: () => Promise<string>, intervalMs: number) {
  const seen: Observation[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const at = Date.now();
      try {
        seen.push({ at, model: await decide(), ok: true });
      } catch (error) {
        seen.push({ at, model: "", ok: false, error: error instanceof Error ? error.message : String(error) });
      }
      await sleep(intervalMs);
    }
  })();
  return {
    seen,
    async stop() {
      running = false;
      await done;
    },
    /** The first call sent after `since` that decided `model`; every later call must decide it too. */
    switchedAt(since: number, model: string): number | undefined {
      return seen.find((o) => o.at >= since && o.model === model)?.at;
    },
  };
}

describe("hot reload with two decision engines under steady traffic", () => {
  let system: RunningSystem;
  let group: ProcessGroup;
  let engines: ServiceClient<typeof DecisionService>[];
  let profile: InputProfile;

  beforeAll(async () => {
    system = await startModelrouter("distributed");
    for (const model of loadDemoModels()) await system.registry.registerModel({ model });
    await system.registry.applyPolicy({ policy: policyTo("digits-general") });
    group = createProcessGroup();
    const second = `127.0.0.1:${await freePort()}`;
    await group.start({
      name: "decision-engine-2",
      command: process.execPath,
      args: [join(repoRoot, "apps/decision-engine/dist/main.js")],
      cwd: repoRoot,
      env: {
        MODELROUTER_DECISION_LISTEN: second,
        MODELROUTER_REGISTRY_ADDRESS: system.registryAddress,
        MODELROUTER_LOG_LEVEL: "info",
        OTEL_SDK_DISABLED: "true",
      },
      readyWhen: (line) => line.includes('"msg":"ready"'),
      timeoutMs: 60_000,
    });
    engines = [system.addresses["decision-engine"]!, second].map((address) =>
      createGrpcClient(DecisionService, system.channel(address), { defaultTimeoutMs: 5_000 }),
    );
    const explained = await system.router.explain({ request: imageRequest });
    profile = explained.profile!;
    for (const engine of engines) {
      for (let i = 0; i < 300; i++) {
        const { decision } = await engine.decide({ profile, context: { policy: "reload" } }).catch(() => ({ decision: undefined }));
        if (decision?.target?.model?.name === "digits-general") break;
        await sleep(100);
      }
    }
  }, 180_000);

  afterAll(async () => {
    await group?.stopAll();
    await system?.stop();
  });

  const decideWith = (engine: ServiceClient<typeof DecisionService>) => async () => {
    const { decision } = await engine.decide({ profile, context: { policy: "reload" } });
    return `${decision?.target?.model?.name ?? ""}@${decision?.target?.model?.version ?? ""}`;
  };
  const inferThroughRouter = async () => {
    const { model } = await system.router.infer(imageRequest);
    return `${model?.name ?? ""}@${model?.version ?? ""}`;
  };

  /** Runs steady traffic on both engines and the router, applies `change`, and waits until all three show `model`. */
  async function underTraffic(change: () => Promise<void>, model: string) {
    const streams = [...engines.map((engine) => steadyTraffic(decideWith(engine), 10)), steadyTraffic(inferThroughRouter, 20)];
    await sleep(500);
    await change();
    const applied = Date.now();
    for (let i = 0; i < 300 && !streams.every((s) => s.switchedAt(applied, model) !== undefined); i++) await sleep(50);
    await sleep(500);
    await Promise.all(streams.map((s) => s.stop()));
    return { streams, applied };
  }

  it("applying a policy moves every replica and the router to it, with no call failed and no replica flipping back", async () => {
    const { streams, applied } = await underTraffic(() => system.registry.applyPolicy({ policy: policyTo("digits-lite") }).then(() => undefined), "digits-lite@1");
    for (const [index, stream] of streams.entries()) {
      expect({ stream: index, failures: stream.seen.filter((o) => !o.ok) }).toEqual({ stream: index, failures: [] });
      const switched = stream.switchedAt(applied, "digits-lite@1");
      expect(switched).toBeDefined();
      expect(stream.seen.filter((o) => o.at < applied).length).toBeGreaterThanOrEqual(3);
      expect(stream.seen.filter((o) => o.at > switched!).length).toBeGreaterThanOrEqual(3);
      expect(stream.seen.filter((o) => o.at > switched! && o.model !== "digits-lite@1")).toEqual([]);
      process.stdout.write(`hot reload: stream ${index} switched ${switched! - applied} ms after the apply returned\n`);
    }
  }, 120_000);

  it("registering a new version of the routed model moves every replica and the router to it, with no call failed", async () => {
    const next = clone(ModelSchema, loadDemoModels().find((m) => m.name === "digits-lite")!);
    next.version = "2";
    const { streams, applied } = await underTraffic(() => system.registry.registerModel({ model: next }).then(() => undefined), "digits-lite@2");
    for (const [index, stream] of streams.entries()) {
      expect({ stream: index, failures: stream.seen.filter((o) => !o.ok) }).toEqual({ stream: index, failures: [] });
      const switched = stream.switchedAt(applied, "digits-lite@2");
      expect(switched).toBeDefined();
      expect(stream.seen.filter((o) => o.at < applied).length).toBeGreaterThanOrEqual(3);
      expect(stream.seen.filter((o) => o.at > switched!).length).toBeGreaterThanOrEqual(3);
      expect(stream.seen.filter((o) => o.at > switched! && o.model !== "digits-lite@2")).toEqual([]);
      process.stdout.write(`hot reload: stream ${index} routed to the new model ${switched! - applied} ms after registration returned\n`);
    }
  }, 120_000);
});
