import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type MessageInitShape, create } from "@bufbuild/protobuf";
import {
  type ExecuteRequest,
  type ExecuteRequestSchema,
  type ExecutorService,
  type Model,
  Modality,
  ModelRefSchema,
} from "@modelrouter/contracts";
import {
  type EvaluationSet,
  type EvaluationSetName,
  evaluationImage,
  loadDemoModels,
  loadEvaluationSet,
  loadSampleIndex,
  modelZooDir,
} from "@modelrouter/model-zoo";
import { Code, type ServiceClient } from "@modelrouter/rpc-kit";
import { PNG } from "pngjs";
import {
  type TempModelRoot,
  type ZooExecutorServer,
  createTempModelRoot,
  imagePayload,
  rejectionOf,
  startTestExecutor,
  startZooExecutorServer,
  writeCrashingWorker,
  zooRequest,
} from "./executor.test-support.js";
import { planInference } from "./inference-plan.js";
import type { WorkerPool } from "./worker-pool.js";

/** The zoo's image models: the ones these digit samples are for (the other modalities: zoo-modalities.spec.ts). */
const models = loadDemoModels().filter((m) => m.modality === Modality.IMAGE);
const samples = loadSampleIndex();
const modelNamed = (name: string): Model => {
  const model = models.find((m) => m.name === name);
  if (model === undefined) throw new Error(`the zoo catalogue has no model ${name}`);
  return model;
};
/** The model each kind of sample is meant for. */
const modelFor = { mnist: "digits-general", lowres: "digits-lowres-specialist" } as const;

const requestFor = (model: Model, payload: MessageInitShape<typeof ExecuteRequestSchema>["payload"]): ExecuteRequest =>
  zooRequest(model, payload, `zoo-${model.name}`);

const sampleRequest = (model: Model, path: string): ExecuteRequest =>
  requestFor(model, imagePayload(new Uint8Array(readFileSync(path))));

/** Encodes 8-bit gray pixels (row-major) as a PNG of colour type 0, the format of the zoo's sample files. */
const grayscalePng = (width: number, height: number, pixels: Uint8Array): Uint8Array => {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.from(pixels);
  return new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
};

/** The kind of sample a catalogue model takes: 8×8 scans for an 8-pixel-wide input, else MNIST digits. */
const sampleKindOf = (model: Model): "mnist" | "lowres" => {
  const image = model.backend?.kind.case === "onnx" ? model.backend.kind.value.preprocessing?.kind : undefined;
  return image?.case === "image" && image.value.width === 8 ? "lowres" : "mnist";
};

/**
 * The routing-gain table of the zoo's last build (models/README.md, written by tools/model-zoo): each model's
 * accuracy on the 540 held-out 8×8 scans, in percent as printed (for example "53.1").
 */
function reportedScanAccuracy(): Record<string, string> {
  const readme = readFileSync(join(modelZooDir(), "README.md"), "utf8");
  const table = readme.split("## Routing gain")[1] ?? "";
  expect(table).toContain("| model | on sklearn-digits-test-540 (8×8 scans) |");
  return Object.fromEntries([...table.matchAll(/^\| `([a-z0-9-]+)` \| ([0-9.]+) %/gm)].map((m) => [m[1], m[2]]));
}

describe("the model zoo, served over gRPC on loopback", () => {
  let zoo: ZooExecutorServer;
  let client: ServiceClient<typeof ExecutorService>;
  const evaluationSets = new Map<EvaluationSetName, { set: EvaluationSet; pngs: Uint8Array[] }>();
  const accuracies = new Map<string, Promise<number>>();

  /** An evaluation set with each image encoded as the zoo ships its samples: an 8-bit grayscale PNG. */
  const evaluationPngs = (name: EvaluationSetName): { set: EvaluationSet; pngs: Uint8Array[] } => {
    const known = evaluationSets.get(name);
    if (known !== undefined) return known;
    const set = loadEvaluationSet(name);
    const pngs = Array.from({ length: set.count }, (_, i) => grayscalePng(set.width, set.height, evaluationImage(set, i)));
    evaluationSets.set(name, { set, pngs });
    return { set, pngs };
  };

  /** The fraction of an evaluation set that `model`, served over gRPC, labels correctly. */
  const servedAccuracy = (model: Model, name: EvaluationSetName): Promise<number> => {
    const key = `${model.name}|${name}`;
    const known = accuracies.get(key);
    if (known !== undefined) return known;
    const measured = measureAccuracy(model, evaluationPngs(name));
    accuracies.set(key, measured);
    return measured;
  };

  const measureAccuracy = async (model: Model, { set, pngs }: { set: EvaluationSet; pngs: Uint8Array[] }): Promise<number> => {
    let correct = 0;
    for (let start = 0; start < set.count; start += 20) {
      const batch = Array.from({ length: Math.min(20, set.count - start) }, (_, k) => start + k);
      const answers = await Promise.all(batch.map((i) => client.execute(requestFor(model, imagePayload(pngs[i] as Uint8Array)))));
      answers.forEach((response, k) => {
        const value = response.outputs[0]?.value;
        if (value?.case === "classification" && value.value.labels[0]?.label === set.labels[batch[k] as number]) correct++;
      });
    }
    return correct / set.count;
  };

  beforeAll(async () => {
    zoo = await startZooExecutorServer();
    client = zoo.client;
  });

  afterAll(async () => {
    await zoo?.close();
  });

  it("has every catalogue model and sample it is tested with", () => {
    expect(models.map((m) => m.name)).toEqual(expect.arrayContaining(Object.values(modelFor)));
    expect(samples.filter((s) => s.kind === "mnist")).toHaveLength(10);
    expect(samples.filter((s) => s.kind === "lowres")).toHaveLength(10);
  });

  it.each(samples.map((s) => [modelFor[s.kind], s.file, s.label, s.path] as const))(
    "%s classifies %s as %s",
    async (name, _file, label, path) => {
      const response = await client.execute(sampleRequest(modelNamed(name), path));
      const output = response.outputs[0];
      expect(output?.name).toBe("logits");
      if (output?.value.case !== "classification") throw new Error("expected a classification");
      const ranked = output.value.value.labels;
      expect(ranked[0]?.label).toBe(label);
      expect(ranked).toHaveLength(3);
      const scores = ranked.map((l) => l.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      expect(scores.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
      expect(response.inferenceTime).toBeDefined();
      expect(response.queueTime).toBeDefined();
    },
  );

  it("classifies every sample correctly with every catalogue model made for the sample's size", async () => {
    for (const model of models) {
      const kind = sampleKindOf(model);
      expect(samples.filter((s) => s.kind === kind)).toHaveLength(10);
      for (const sample of samples.filter((s) => s.kind === kind)) {
        const response = await client.execute(sampleRequest(model, sample.path));
        const output = response.outputs[0]?.value;
        if (output?.case !== "classification") throw new Error(`${model.name} gave no classification for ${sample.file}`);
        expect([model.name, sample.file, output.value.labels[0]?.label]).toEqual([model.name, sample.file, sample.label]);
      }
    }
  });

  it("matches the model card's held-out accuracy on the whole low-resolution test split", async () => {
    const model = modelNamed("digits-lowres-specialist");
    expect(model.metrics?.evaluationSamples).toBe(540);
    expect(Number((await servedAccuracy(model, "lowres-test-540")).toFixed(4))).toBe(model.metrics?.accuracy);
  }, 60_000);

  it("reproduces the zoo's routing gain on the 8×8 scans: every model's accuracy as reported, the specialist 30+ points ahead", async () => {
    const served: Record<string, number> = {};
    for (const model of models) served[model.name] = await servedAccuracy(model, "lowres-test-540");
    const percent = Object.fromEntries(Object.entries(served).map(([name, a]) => [name, (a * 100).toFixed(1)]));
    expect(percent).toEqual(reportedScanAccuracy());
    expect((served["digits-lowres-specialist"] ?? 0) - (served["digits-general"] ?? 0)).toBeGreaterThan(0.3);
  }, 120_000);

  it("scores at least 95 % (CNN) and 90 % (lite MLP) on the shipped 1,000 MNIST test digits", async () => {
    expect(await servedAccuracy(modelNamed("digits-general"), "mnist-test-1000")).toBeGreaterThanOrEqual(0.95);
    expect(await servedAccuracy(modelNamed("digits-lite"), "mnist-test-1000")).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it("refuses text sent to an image model with INVALID_ARGUMENT, so the router does not fall back", async () => {
    const error = await rejectionOf(client.execute(requestFor(modelNamed("digits-general"), { kind: { case: "text", value: "7" } })));
    expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
    expect(error["reason"]).toBe("PAYLOAD_UNSUPPORTED");
    expect(error.message).toContain("takes a PNG or JPEG image");
  });

  it("reports a missing model file as UNAVAILABLE, so the router can fall back", async () => {
    const request = sampleRequest(modelNamed("digits-general"), samples[0]?.path ?? "");
    if (request.backend?.kind.case !== "onnx") throw new Error("expected an ONNX backend");
    request.backend.kind.value.uri = "digits-general/missing.onnx";
    request.backend.kind.value.sha256 = "";
    const error = await rejectionOf(client.execute(request));
    expect(error["code"]).toBe(Code.UNAVAILABLE);
    expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
    expect(error["metadata"]).toEqual({
      model: "digits-general",
      version: "1",
      uri: "digits-general/missing.onnx",
      field: "backend.onnx.uri",
    });
  });
});

describe("the model zoo under load and faults", () => {
  const general = modelNamed("digits-general");
  const sample = samples.find((s) => s.kind === "mnist");
  const task = (pool: WorkerPool) => planInference(sampleRequest(general, sample?.path ?? ""), pool.modelRoot);
  let crashDir: TempModelRoot;

  beforeAll(async () => {
    crashDir = await createTempModelRoot();
  });

  afterAll(async () => {
    await crashDir?.remove();
  });

  it("refuses a task with OVERLOADED when the queue is full", async () => {
    const executor = await startTestExecutor(modelZooDir(), { maxQueued: 1 });
    try {
      const accepted = [executor.pool.run(task(executor.pool)), executor.pool.run(task(executor.pool))];
      expect(await rejectionOf(executor.pool.run(task(executor.pool)))).toMatchObject({ reason: "OVERLOADED" });
      await Promise.all(accepted);
    } finally {
      await executor.close();
    }
  });

  it("fails a task whose deadline has passed with DEADLINE_EXCEEDED", async () => {
    const executor = await startTestExecutor(modelZooDir());
    try {
      const blocker = Promise.all(Array.from({ length: 20 }, () => executor.pool.run(task(executor.pool))));
      const late = executor.pool.run(task(executor.pool), { deadline: Date.now() });
      expect(await rejectionOf(late)).toMatchObject({ reason: "DEADLINE_EXCEEDED" });
      await blocker;
    } finally {
      await executor.close();
    }
  });

  it("replaces a killed worker: its task fails with MODEL_UNAVAILABLE, the next one is served", async () => {
    const executor = await startTestExecutor(modelZooDir(), { workerUrl: await writeCrashingWorker(crashDir.dir) });
    try {
      const doomed = sampleRequest(general, sample?.path ?? "");
      doomed.model = create(ModelRefSchema, { name: "crash-now", version: "1" });
      const error = await rejectionOf(executor.client.execute(doomed));
      expect(error["code"]).toBe(Code.UNAVAILABLE);
      expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
      const served = await executor.client.execute(sampleRequest(general, sample?.path ?? ""));
      expect(served.outputs[0]?.value.case).toBe("classification");
      expect(executor.pool.stats().workerRestarts).toBe(1);
    } finally {
      await executor.close();
    }
  });

  it("keeps the event loop free while a long batch of inferences runs", async () => {
    const executor = await startTestExecutor(modelZooDir(), { size: 2, maxQueued: 1000 });
    try {
      const batch = 500;
      let completed = 0;
      let settled = false;
      let completedAtFirstTurn: number | undefined;
      let turns = 0;
      const planned = task(executor.pool);
      const all = Promise.all(Array.from({ length: batch }, () => executor.pool.run(planned).then(() => completed++)));
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
      // the results of at most a task or two per worker can arrive before the first turn
      expect(completedAtFirstTurn).toBeLessThan(batch / 10);
      expect(turns).toBeGreaterThan(1);
    } finally {
      await executor.close();
    }
  });
});
