import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { Modality, ModelStatus } from "@modelrouter/contracts";
import { pgliteBackend, validModel, type Backend, type Registry } from "../registry.test-support.js";
import { startFakeMlflowServer, type FakeMlflowModel, type FakeMlflowServer } from "./fake-mlflow-server.js";
import { createMlflowClient } from "./mlflow-client.js";
import { registryCatalogue } from "./registry-catalogue.js";
import { formatSyncReport, syncFromMlflow, type SyncOptions } from "./sync-mlflow.js";

const tags = (endpoint: string, modelName: string) => ({ "modelrouter.endpoint": endpoint, "modelrouter.model_name": modelName, "modelrouter.modality": "image" });

const digits = (): FakeMlflowModel => ({
  name: "Digits_Classifier",
  tags: { team: "vision" },
  versions: [
    { version: "1", tags: tags("grpc://triton.models:8001", "digits-general") },
    { version: "2", tags: tags("grpc://triton.models:8001", "digits-lite") },
    { version: "3", tags: { "modelrouter.modality": "image" } },
  ],
  aliases: { champion: "1" },
});

let backend: Backend;
let registry: Registry;
let mlflow: FakeMlflowServer;

beforeAll(async () => {
  backend = await pgliteBackend();
});
afterAll(async () => {
  await backend.stop();
});
afterEach(async () => {
  await mlflow.close();
  await registry.close();
});

async function start(models: FakeMlflowModel[]): Promise<void> {
  registry = await backend.openFresh();
  mlflow = await startFakeMlflowServer({ models });
}

const sync = (options: SyncOptions = {}) => syncFromMlflow(createMlflowClient({ trackingUri: mlflow.url }), registryCatalogue(registry.client), options);

describe("a sync from MLflow", () => {
  it("registers each version with an endpoint and reports the one without", async () => {
    await start([digits()]);
    const report = await sync();
    expect(report.counts).toMatchObject({ created: 2, skipped: 1 });
    expect(formatSyncReport(report).join("\n")).toMatch(/skipped +Digits_Classifier@3 +no endpoint/);
    const { model } = await registry.client.getModel({ name: "digits-classifier", version: "1" });
    expect(model?.labels).toMatchObject({ "mlflow-alias/champion": "true", team: "vision", "synced-from": "mlflow" });
    expect(model?.status).toBe(ModelStatus.ACTIVE);
    expect((await registry.client.getModel({ name: "digits-classifier", version: "2" })).model?.status).toBe(ModelStatus.DEPRECATED);
  });

  it("changes nothing the second time when MLflow did not change", async () => {
    await start([digits()]);
    await sync();
    const before = await registry.store.revision();
    const again = await sync();
    expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: 2, skipped: 1 });
    expect(await registry.store.revision()).toBe(before);
  });

  it("moves the champion label and the ACTIVE status with the alias", async () => {
    await start([digits()]);
    await sync();
    mlflow.setAlias("Digits_Classifier", "champion", "2");
    const report = await sync();
    expect(report.counts).toMatchObject({ updated: 2 });
    const champions = await registry.client.listModels({ labels: { "mlflow-alias/champion": "true" }, pageSize: 10 });
    expect(champions.models.map((m) => `${m.name}@${m.version}`)).toEqual(["digits-classifier@2"]);
    expect((await registry.client.getModel({ name: "digits-classifier", version: "1" })).model?.status).toBe(ModelStatus.DEPRECATED);
  });

  it("plans without changing anything on a dry run", async () => {
    await start([digits()]);
    const before = await registry.store.revision();
    const report = await sync({ dryRun: true });
    expect(report.lines.filter((l) => l.outcome === "planned").map((l) => l.model)).toEqual(["digits-classifier@1", "digits-classifier@2"]);
    expect(await registry.store.revision()).toBe(before);
  });

  it("keeps versions MLflow no longer lists, and deregisters them only with prune", async () => {
    await start([digits()]);
    await sync();
    mlflow.models = [{ ...digits(), versions: digits().versions.slice(0, 1) }];
    expect((await sync()).counts.deregistered).toBe(0);
    expect((await registry.client.getModel({ name: "digits-classifier", version: "2" })).model).toBeDefined();
    const pruned = await sync({ prune: true });
    expect(pruned.lines.filter((l) => l.outcome === "deregistered").map((l) => l.model)).toEqual(["digits-classifier@2"]);
  });

  it("registers chat models like a registered openai model, and reports one whose tags make it an image model", async () => {
    await start([
      {
        name: "Support_Chat",
        versions: [
          { version: "1", tags: { "modelrouter.endpoint": "http://vllm.models.svc:8000/v1", "modelrouter.like": "chat-template", "modelrouter.model_name": "Qwen/Qwen2.5-1.5B-Instruct" } },
          { version: "2", tags: { "modelrouter.endpoint": "http://vllm.models.svc:8000/v1", "modelrouter.like": "chat-template", "modelrouter.modality": "image" } },
        ],
      },
    ]);
    const template = validModel({
      name: "chat-template",
      modality: Modality.TEXT,
      backend: { kind: { case: "openai", value: { endpoints: [{ url: "http://vllm.models.svc:8000/v1" }], modelName: "template", maxTokens: 128 } } },
    });
    await registry.client.registerModel({ model: template });
    const report = await sync();
    expect(report.counts).toMatchObject({ created: 1, failed: 1 });
    expect(report.lines.find((l) => l.outcome === "failed")?.detail).toContain("model.modality: is MODALITY_IMAGE");
    const backend = (await registry.client.getModel({ name: "support-chat", version: "1" })).model?.backend?.kind;
    expect(backend?.case === "openai" ? { modelName: backend.value.modelName, maxTokens: backend.value.maxTokens } : backend).toEqual({
      modelName: "Qwen/Qwen2.5-1.5B-Instruct",
      maxTokens: 128,
    });
  });

  it("reports a version the registry refuses and still applies the others", async () => {
    await start([
      { name: "bad", versions: [{ version: "1", tags: tags("ftp://files.example.com", "bad") }] },
      { name: "good", versions: [{ version: "1", tags: tags("grpc://triton.models:8001", "good") }] },
    ]);
    const report = await sync();
    expect(report.counts).toMatchObject({ created: 1, failed: 1 });
    expect(report.lines.find((l) => l.outcome === "failed")?.detail).toContain("endpoints");
  });
});
