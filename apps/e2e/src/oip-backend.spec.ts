import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clone, create, fromJson } from "@bufbuild/protobuf";
import {
  BackendSchema,
  type InferResponse,
  type Model,
  ModelSchema,
  PolicySchema,
  type Preprocessing,
  PreprocessingSchema,
  RegistryService,
  RouterService,
} from "@modelrouter/contracts";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { createGrpcChannel, createGrpcClient, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { appStarter, createProcessGroup, freePort, type RunningProcess } from "@modelrouter/testing";

const general = loadDemoModels().find((m) => m.name === "digits-general")!;
const digits = loadSampleIndex().filter((s) => s.kind === "mnist").slice(0, 4);

const SECRET = "e2e-oip-bearer-7f3a9c";

/** digits-general registered again as `name`, served by another executor over OIP at `url`. */
function remoteCopy(name: string, url: string, options: { credential?: string; imageSide?: number } = {}): Model {
  const onnx = general.backend?.kind.case === "onnx" ? general.backend.kind.value : undefined;
  const model = clone(ModelSchema, general);
  model.name = name;
  model.backend = create(BackendSchema, {
    kind: {
      case: "oip",
      value: {
        endpoints: [{ url, credential: options.credential ?? "" }],
        modelName: general.name,
        modelVersion: general.version,
        inputName: onnx?.inputName ?? "",
        outputName: onnx?.outputName ?? "",
        ...(onnx?.preprocessing === undefined ? {} : { preprocessing: resized(onnx.preprocessing, options.imageSide) }),
        ...(onnx?.postprocessing === undefined ? {} : { postprocessing: onnx.postprocessing }),
      },
    },
  });
  return model;
}

function resized(preprocessing: Preprocessing, side: number | undefined): Preprocessing {
  const copy = clone(PreprocessingSchema, preprocessing);
  if (side !== undefined && copy.kind.case === "image") {
    copy.kind.value.width = side;
    copy.kind.value.height = side;
  }
  return copy;
}

const policy = fromJson(PolicySchema, {
  name: "digits",
  description: "digit images to the local model, or by request metadata to its copies on an OIP server",
  priority: 10,
  when: 'input.modality == "image"',
  rules: [
    { name: "over-grpc", when: '"via" in request.metadata && request.metadata["via"] == "grpc"', route: { targets: [{ model: { name: "digits-oip-grpc" } }] } },
    { name: "over-rest", when: '"via" in request.metadata && request.metadata["via"] == "rest"', route: { targets: [{ model: { name: "digits-oip-rest" } }] } },
    { name: "misfit", when: '"via" in request.metadata && request.metadata["via"] == "misfit"', route: { targets: [{ model: { name: "digits-oip-misfit" } }] } },
  ],
  defaultRoute: { targets: [{ model: { name: "digits-general" } }] },
});

const labelOf = (answer: InferResponse): string | undefined => {
  const value = answer.outputs[0]?.value;
  return value?.case === "classification" ? value.value.labels[0]?.label : undefined;
};

describe("a model served by a remote OIP v2 server (another executor process), routed through the router", () => {
  const group = createProcessGroup();
  const channels: GrpcChannel[] = [];
  let dataDir: string;
  let router: ServiceClient<typeof RouterService>;
  let processes: RunningProcess[];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "modelrouter-oip-"));
    const address = async () => `127.0.0.1:${await freePort()}`;
    const [registryAt, analyzerAt, decisionAt, routerAt, executorAt, remoteAt, remoteHttpAt] = await Promise.all(Array.from({ length: 7 }, address));
    const start = appStarter(group);
    // Loopback endpoints are refused by the default egress policy: this system allows 127.0.0.1 on purpose.
    const egress = { MODELROUTER_EGRESS_ALLOW: "127.0.0.1" };
    await start("registry", "registry", { MODELROUTER_REGISTRY_LISTEN: registryAt!, MODELROUTER_REGISTRY_DATA_DIR: join(dataDir, "registry"), ...egress });
    const executor = (listen: string, extra: Readonly<Record<string, string>> = {}) => ({
      MODELROUTER_EXECUTOR_LISTEN: listen,
      MODELROUTER_REGISTRY_ADDRESS: registryAt!,
      MODELROUTER_EXECUTOR_WORKERS: "1",
      ...egress,
      ...extra,
    });
    const started = await Promise.all([
      start("analyzer", "analyzer", { MODELROUTER_ANALYZER_LISTEN: analyzerAt! }),
      start("executor", "executor", executor(executorAt!, { OIP_TOKEN: SECRET })),
      start("oip-server", "executor", executor(remoteAt!, { MODELROUTER_EXECUTOR_OIP_HTTP_LISTEN: remoteHttpAt! })),
      start("decision-engine", "decision-engine", { MODELROUTER_DECISION_LISTEN: decisionAt!, MODELROUTER_REGISTRY_ADDRESS: registryAt! }),
    ]);
    const routerProcess = await start("router", "router", {
      MODELROUTER_ROUTER_LISTEN: routerAt!,
      MODELROUTER_ROUTER_HTTP_LISTEN: "off",
      MODELROUTER_ANALYZER_ADDRESS: analyzerAt!,
      MODELROUTER_DECISION_ADDRESS: decisionAt!,
      MODELROUTER_REGISTRY_ADDRESS: registryAt!,
      MODELROUTER_EXECUTOR_ADDRESS: executorAt!,
    });
    processes = [...started, routerProcess];
    const channel = (at: string) => {
      const created = createGrpcChannel(at);
      channels.push(created);
      return created;
    };
    const registry = createGrpcClient(RegistryService, channel(registryAt!), { defaultTimeoutMs: 20_000 });
    router = createGrpcClient(RouterService, channel(routerAt!), { defaultTimeoutMs: 20_000 });
    await registry.registerModel({ model: general });
    await registry.registerModel({ model: remoteCopy("digits-oip-grpc", `grpc://${remoteAt}`, { credential: "env:OIP_TOKEN" }) });
    await registry.registerModel({ model: remoteCopy("digits-oip-misfit", `grpc://${remoteAt}`, { imageSide: 16 }) });
    await registry.registerModel({ model: remoteCopy("digits-oip-rest", `http://${remoteHttpAt}`) });
    await registry.applyPolicy({ policy });
  });

  afterAll(async () => {
    for (const c of channels) c.close();
    await group.stopAll("SIGTERM", 20_000).catch(() => undefined);
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  /** Infers `image` with metadata `via` (if any), retrying while the system settles (policy and models arriving by watch). */
  const infer = async (image: Uint8Array, via?: string): Promise<InferResponse> => {
    const end = Date.now() + 30_000;
    for (;;) {
      try {
        return await router.infer({
          payload: { kind: { case: "image", value: { data: image, mimeType: "image/png" } } },
          metadata: via === undefined ? {} : { via },
        });
      } catch (error) {
        if (Date.now() > end) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };

  it.each([
    ["grpc", "digits-oip-grpc"],
    ["rest", "digits-oip-rest"],
  ])("answers over OIP %s with the same label as the local ONNX model", async (via, model) => {
    for (const sample of digits) {
      const image = readFileSync(sample.path);
      const local = await infer(image);
      const remote = await infer(image, via);
      expect(local.model?.name).toBe("digits-general");
      expect(remote.model?.name).toBe(model);
      expect(remote.rule).toBe(`over-${via}`);
      expect(remote.attempts).toHaveLength(1);
      expect(labelOf(local)).toBeDefined();
      expect(labelOf(remote)).toBe(labelOf(local));
    }
  });

  it("leaves a version whose pre-processing does not fit the server's model unservable, saying why in the executor's and the router's logs", async () => {
    const executor = processes[1]!;
    const line = await executor.waitForLine((l) => l.includes("not servable") && l.includes("digits-oip-misfit"), 30_000);
    expect(line).toContain("makes a float32 [1, 1, 16, 16] tensor");
    const image = readFileSync(digits[0]!.path);
    const error = await router.infer({ payload: { kind: { case: "image", value: { data: image, mimeType: "image/png" } } }, metadata: { via: "misfit" } }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    // The router answers with the executor's code and logs the executor's message.
    expect(error?.message).toContain("FAILED_PRECONDITION");
    const routerProcess = processes.at(-1)!;
    await routerProcess.waitForLine((l) => l.includes("digits-oip-misfit@1 cannot be served by its OIP endpoints: backend.oip.preprocessing (image) makes a float32 [1, 1, 16, 16] tensor"));
  });

  it("never writes the endpoint's credential to any process's output", () => {
    for (const p of processes) expect(p.output.join("\n")).not.toContain(SECRET);
  });
});
