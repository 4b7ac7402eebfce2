import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RegistryService, RouterService } from "@modelrouter/contracts";
import { createGrpcChannel, createGrpcClient } from "@modelrouter/rpc-kit";
import { appStarter, createProcessGroup, freePort, type RunningSystem } from "@modelrouter/testing";

/** What a modelrouter scenario uses of a running system. */
export type ScenarioSystem = Pick<RunningSystem, "topology" | "routerAddress" | "router" | "registry" | "processes" | "stop">;

/** The services the router hosts when the executor runs on its own. */
const COLOCATE_BUT_EXECUTOR = "analyzer,decision-engine,registry";

/**
 * Starts modelrouter with a remote executor: an executor process (`apps/executor`), then one router process
 * co-locating the analyzer, decision engine and registry (`MODELROUTER_COLOCATE=analyzer,decision-engine,registry`,
 * the registry on a fresh PGlite directory) that calls the executor over gRPC — the router alone on the hot path
 * in front of a model-server process. `env` is given to both (an `undefined` value leaves a variable unset). The
 * executor follows no registry: the router sends each model's backend with the request.
 */
export async function startRemoteExecutorSystem(env: Readonly<Record<string, string | undefined>>): Promise<ScenarioSystem> {
  const dataDir = await mkdtemp(join(tmpdir(), "modelrouter-bench-"));
  const group = createProcessGroup();
  const start = appStarter(group);
  const common = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const [routerAt, registryAt, executorAt] = await Promise.all([freePort(), freePort(), freePort()]).then((ports) => ports.map((p) => `127.0.0.1:${p}`));
  try {
    const executor = await start("executor", "executor", { ...common, MODELROUTER_EXECUTOR_LISTEN: executorAt! });
    const router = await start("router", "router", {
      ...common,
      MODELROUTER_COLOCATE: COLOCATE_BUT_EXECUTOR,
      MODELROUTER_ROUTER_LISTEN: routerAt!,
      MODELROUTER_ROUTER_HTTP_LISTEN: "off",
      MODELROUTER_REGISTRY_LISTEN: registryAt!,
      MODELROUTER_REGISTRY_DATA_DIR: join(dataDir, "registry"),
      MODELROUTER_EXECUTOR_ADDRESS: executorAt!,
    });
    const channels = [createGrpcChannel(routerAt!), createGrpcChannel(registryAt!)] as const;
    return {
      topology: "co-located",
      routerAddress: routerAt!,
      router: createGrpcClient(RouterService, channels[0], { defaultTimeoutMs: 20_000 }),
      registry: createGrpcClient(RegistryService, channels[1], { defaultTimeoutMs: 20_000 }),
      processes: [router, executor],
      async stop() {
        for (const channel of channels) channel.close();
        try {
          return await group.stopAll("SIGTERM", 30_000);
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await group.stopAll("SIGKILL").catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
