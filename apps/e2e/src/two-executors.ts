import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromJson } from "@bufbuild/protobuf";
import { PolicySchema, RegistryService, RouterService } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { createGrpcChannel, createGrpcClient, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { appStarter, createProcessGroup, freePort, type RunningProcess } from "@modelrouter/testing";

const digit = loadSampleIndex().find((s) => s.kind === "mnist")!;

/** A handwritten digit as an image payload: what the load of these specs sends. */
export const digitPayload = { kind: { case: "image" as const, value: { data: readFileSync(digit.path), mimeType: "image/png" } } };

const policy = fromJson(PolicySchema, {
  name: "digits",
  description: "every image to the general digits model",
  priority: 10,
  when: 'input.modality == "image"',
  defaultRoute: { targets: [{ model: { name: "digits-general" } }] },
});

/** A distributed modelrouter whose router runs digits-general on two executor processes. */
export interface TwoExecutorSystem {
  readonly router: ServiceClient<typeof RouterService>;
  readonly routerProcess: RunningProcess;
  /** The two executors, by listen address; the router lists both in `MODELROUTER_EXECUTOR_ADDRESS`. */
  readonly executors: readonly { readonly address: string; readonly process: RunningProcess }[];
  /** Starts an executor process (again) on `address`, following the same registry. */
  startExecutor(address: string, name: string): Promise<RunningProcess>;
  stop(): Promise<void>;
}

/**
 * Starts the registry, analyzer, decision engine, two executors and a router (with `routerEnv` laid over its
 * variables) as processes on free loopback ports, registers digits-general with a policy sending every image to
 * it, and resolves once each executor has answered a request through the router.
 */
export async function startTwoExecutorSystem(routerEnv: Readonly<Record<string, string>> = {}): Promise<TwoExecutorSystem> {
  const group = createProcessGroup();
  const channels: GrpcChannel[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), "modelrouter-executors-"));
  const stop = async () => {
    for (const c of channels) c.close();
    await group.stopAll("SIGTERM", 20_000).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const address = async () => `127.0.0.1:${await freePort()}`;
    const [registryAt, analyzerAt, decisionAt, routerAt, executorA, executorB] = await Promise.all(Array.from({ length: 6 }, address));
    const start = appStarter(group);
    const startExecutor = (listen: string, name: string) =>
      start(name, "executor", { MODELROUTER_EXECUTOR_LISTEN: listen, MODELROUTER_REGISTRY_ADDRESS: registryAt!, MODELROUTER_EXECUTOR_WORKERS: "1" });
    await start("registry", "registry", { MODELROUTER_REGISTRY_LISTEN: registryAt!, MODELROUTER_REGISTRY_DATA_DIR: join(dataDir, "registry") });
    const [, a, b] = await Promise.all([
      start("analyzer", "analyzer", { MODELROUTER_ANALYZER_LISTEN: analyzerAt! }),
      startExecutor(executorA!, "executor-a"),
      startExecutor(executorB!, "executor-b"),
      start("decision-engine", "decision-engine", { MODELROUTER_DECISION_LISTEN: decisionAt!, MODELROUTER_REGISTRY_ADDRESS: registryAt! }),
    ]);
    const routerProcess = await start("router", "router", {
      MODELROUTER_ROUTER_LISTEN: routerAt!,
      MODELROUTER_ROUTER_HTTP_LISTEN: "off",
      MODELROUTER_ANALYZER_ADDRESS: analyzerAt!,
      MODELROUTER_DECISION_ADDRESS: decisionAt!,
      MODELROUTER_REGISTRY_ADDRESS: registryAt!,
      MODELROUTER_EXECUTOR_ADDRESS: `${executorA},${executorB}`,
      ...routerEnv,
    });

    const channel = (at: string) => {
      const created = createGrpcChannel(at);
      channels.push(created);
      return created;
    };
    const registry = createGrpcClient(RegistryService, channel(registryAt!), { defaultTimeoutMs: 20_000 });
    const router = createGrpcClient(RouterService, channel(routerAt!), { defaultTimeoutMs: 20_000 });
    await registry.registerModel({ model: loadDemoModels().find((m) => m.name === "digits-general")! });
    await registry.applyPolicy({ policy });
    // Routed by the policy, and answered by each executor at least once (each has loaded the model).
    const end = Date.now() + 30_000;
    const seen = new Set<string>();
    while (seen.size < 2) {
      const answer = await router.infer({ payload: digitPayload }).catch(() => undefined);
      if (answer?.policy === "digits" && answer.attempts.length === 1) seen.add(answer.attempts[0]?.instance ?? "");
      if (Date.now() > end) throw new Error(`the system never served from both executors (seen: ${[...seen].join(", ")})`);
    }
    return {
      router,
      routerProcess,
      executors: [
        { address: executorA!, process: a },
        { address: executorB!, process: b },
      ],
      startExecutor,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
