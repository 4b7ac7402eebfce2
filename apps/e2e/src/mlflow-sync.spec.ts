import { readFileSync } from "node:fs";
import { fromJson } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { main, type Io } from "@modelrouter/cli";
import { PolicySchema, type InferResponse } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { startFakeMlflowServer, type FakeMlflowModel, type FakeMlflowServer } from "@modelrouter/registry-service/testing";
import { startModelrouter, type RunningSystem } from "@modelrouter/testing";

const zoo = loadDemoModels().filter((m) => m.name === "digits-general" || m.name === "digits-lite");
const sample = loadSampleIndex().find((s) => s.kind === "mnist")!;

/** `digits` in MLflow: v1 served as digits-general, v2 as digits-lite, both by the system's own executor over OIP. */
function mlflowDigits(executorAt: string): FakeMlflowModel {
  const served = (oipModel: string) => ({
    "modelrouter.endpoint": `grpc://${executorAt}`,
    "modelrouter.model_name": oipModel,
    "modelrouter.model_version": "1",
    "modelrouter.like": oipModel,
  });
  return {
    name: "digits",
    tags: { team: "vision" },
    versions: [
      { version: "1", tags: served("digits-general") },
      { version: "2", tags: served("digits-lite") },
    ],
    aliases: { champion: "1" },
  };
}

const champion = fromJson(PolicySchema, {
  name: "champion",
  description: "digit images to MLflow's champion",
  priority: 100,
  when: 'input.modality == "image"',
  rules: [],
  defaultRoute: { targets: [{ selector: { matchLabels: { "mlflow-alias/champion": "true", "synced-from": "mlflow" } } }] },
});

function capture(): Io & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (text) => lines.push(text), err: (text) => lines.push(text) };
}

describe("models synced from MLflow, routed by their alias", () => {
  let system: RunningSystem;
  let mlflow: FakeMlflowServer;

  beforeAll(async () => {
    // The MLflow versions' endpoints are the system's own executor on loopback, which the default egress policy refuses.
    system = await startModelrouter("distributed", { MODELROUTER_EGRESS_ALLOW: "127.0.0.1" });
    mlflow = await startFakeMlflowServer({ models: [mlflowDigits(system.addresses["executor"]!)] });
    for (const model of zoo) await system.registry.registerModel({ model });
  });

  afterAll(async () => {
    await mlflow?.close();
    await system?.stop();
  });

  const sync = async (...extra: string[]) => {
    const io = capture();
    const code = await main(["--registry", system.registryAddress, "models", "sync-mlflow", "--tracking-uri", mlflow.url, ...extra], io, {});
    return { code, text: io.lines.join("\n") };
  };

  /** Infers the sample until `settled` holds (the decision engine and executor follow the registry by watch). */
  const inferUntil = async (settled: (answer: InferResponse) => boolean): Promise<InferResponse> => {
    const end = Date.now() + 30_000;
    let last: unknown;
    for (;;) {
      try {
        const answer = await system.router.infer({ payload: { kind: { case: "image", value: { data: readFileSync(sample.path), mimeType: "image/png" } } } });
        if (settled(answer)) return answer;
        last = answer.model;
      } catch (error) {
        last = error;
      }
      if (Date.now() > end) throw new Error(`routing did not settle: last ${JSON.stringify(last)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  it("plans on a dry run and changes nothing", async () => {
    const { code, text } = await sync("--dry-run");
    expect(code).toBe(0);
    expect(text).toMatch(/planned +digits@1 +create/);
    expect(text).toMatch(/planned +digits@2 +create/);
    const listed = await system.registry.listModels({ name: "digits", pageSize: 10 });
    expect(listed.models).toHaveLength(0);
  });

  it("registers both versions, and a policy selecting the champion by label routes to version 1", async () => {
    const { code, text } = await sync();
    expect(code).toBe(0);
    expect(text).toContain("2 created");
    await system.registry.applyPolicy({ policy: champion });
    const answer = await inferUntil((a) => a.model?.name === "digits");
    expect(answer.model?.version).toBe("1");
    expect(answer.policy).toBe("champion");
    expect(answer.outputs[0]?.value.case).toBe("classification");
  });

  it("changes nothing when synced again with nothing changed in MLflow", async () => {
    const { code, text } = await sync();
    expect(code).toBe(0);
    expect(text).toContain("2 unchanged");
    expect(text).not.toMatch(/created|updated/);
  });

  it("follows the champion alias when it moves to version 2", async () => {
    mlflow.setAlias("digits", "champion", "2");
    const { code, text } = await sync();
    expect(code).toBe(0);
    expect(text).toContain("2 updated");
    const answer = await inferUntil((a) => a.model?.name === "digits" && a.model.version === "2");
    expect(answer.model?.version).toBe("2");
  });
});
