import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { EnvReader } from "@modelrouter/config";
import { DEFAULT_EGRESS_POLICY, parseEgressPolicy, type EgressPolicy } from "@modelrouter/egress";
import { memoryLogger, pgliteBackend, type Backend, type Registry } from "../registry.test-support.js";
import { startFakeMlflowServer, type FakeMlflowServer } from "./fake-mlflow-server.js";
import { registryCatalogue } from "./registry-catalogue.js";
import { readMlflowSyncConfig, startMlflowSyncLoop, type MlflowSyncLoop } from "./sync-loop.js";

const TOKEN = "loop-s3cret-bearer";
const loopback: EgressPolicy = parseEgressPolicy({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1" }).policy!;

let backend: Backend;
let registry: Registry | undefined;
let mlflow: FakeMlflowServer | undefined;
let loop: MlflowSyncLoop | undefined;

beforeAll(async () => {
  backend = await pgliteBackend();
});
afterAll(() => backend.stop());
afterEach(async () => {
  await loop?.stop();
  await mlflow?.close();
  await registry?.close();
  [loop, mlflow, registry] = [undefined, undefined, undefined];
});

describe("the registry's MLflow sync settings", () => {
  it("are off when no tracking URI is set", () => {
    expect(readMlflowSyncConfig(new EnvReader({}))).toBeUndefined();
  });

  it("default to a sync a minute, and name each bad setting", () => {
    expect(readMlflowSyncConfig(new EnvReader({ MODELROUTER_MLFLOW_TRACKING_URI: "http://mlflow:5000" }))).toEqual({ trackingUri: "http://mlflow:5000", intervalMs: 60_000 });
    const env = new EnvReader({ MODELROUTER_MLFLOW_TRACKING_URI: "mlflow:5000", MODELROUTER_MLFLOW_SYNC_INTERVAL: "10ms", MODELROUTER_MLFLOW_CREDENTIAL: "token123" });
    readMlflowSyncConfig(env);
    expect(() => env.done()).toThrow(/MODELROUTER_MLFLOW_TRACKING_URI[\s\S]*MODELROUTER_MLFLOW_SYNC_INTERVAL[\s\S]*MODELROUTER_MLFLOW_CREDENTIAL/);
  });
});

describe("the registry's MLflow sync loop", () => {
  it("syncs right away with the bearer token read from its reference, and never logs the token", async () => {
    registry = await backend.openFresh({ service: { egress: loopback } });
    mlflow = await startFakeMlflowServer({
      token: TOKEN,
      models: [{ name: "digits", versions: [{ version: "1", tags: { "modelrouter.endpoint": "grpc://triton.models:8001", "modelrouter.modality": "image" } }] }],
    });
    process.env["MLFLOW_LOOP_TOKEN"] = TOKEN;
    const logs: string[] = [];
    loop = startMlflowSyncLoop(
      { trackingUri: mlflow.url, intervalMs: 3_600_000, credential: "env:MLFLOW_LOOP_TOKEN" },
      { catalogue: registryCatalogue(registry.client), egress: loopback, logger: memoryLogger(logs) },
    );
    const synced = await eventually(() => registry!.client.getModel({ name: "digits", version: "1" }));
    expect(synced.model?.labels["synced-from"]).toBe("mlflow");
    expect((await loop.syncOnce()).counts).toMatchObject({ unchanged: 1, created: 0, failed: 0 });
    expect(mlflow.authorizations.every((a) => a === `Bearer ${TOKEN}`)).toBe(true);
    expect(logs.join("\n")).not.toContain(TOKEN);
  });

  it("refuses a tracking server the egress policy refuses, naming the setting", () => {
    expect(() =>
      startMlflowSyncLoop(
        { trackingUri: "http://169.254.169.254:5000", intervalMs: 60_000 },
        { catalogue: { listModels: async () => [], getModel: async () => undefined, registerModel: async () => {}, updateModel: async () => {}, deregisterModel: async () => {} }, egress: DEFAULT_EGRESS_POLICY, logger: memoryLogger([]) },
      ),
    ).toThrow(/MODELROUTER_MLFLOW_TRACKING_URI=http:\/\/169\.254\.169\.254:5000/);
  });
});

/** What `read` gives once it stops throwing (the loop's first sync runs in the background). */
async function eventually<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
