import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Health, HealthCheckResponse_ServingStatus, RegistryService, RouterService } from "@modelrouter/contracts";
import { createGrpcChannel, createGrpcClient, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { freePort } from "./free-port.js";
import { createProcessGroup } from "./process-group.js";
import type { RunningProcess } from "./start-process.js";

/** The repository root (the built apps are under `apps/<name>/dist`). */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** How the services are deployed. */
export type Topology = "distributed" | "co-located";

/** A running modelrouter with clients of its public services. */
export interface RunningSystem {
  readonly topology: Topology;
  readonly routerAddress: string;
  readonly registryAddress: string;
  /** Every gRPC address with the `service.name` that serves it. */
  readonly addresses: Readonly<Record<string, string>>;
  /** The Connect/JSON base URL of the router. */
  readonly httpUrl: string;
  readonly router: ServiceClient<typeof RouterService>;
  readonly registry: ServiceClient<typeof RegistryService>;
  readonly processes: readonly RunningProcess[];
  /** A gRPC channel to any address (closed on stop). */
  channel(address: string): GrpcChannel;
  /** True when every process is alive and every server reports SERVING. */
  allServing(): Promise<boolean>;
  /** Sends SIGTERM to every process; returns their exit codes by name. */
  stop(): Promise<Record<string, number | null>>;
}

const isReady = (line: string): boolean => line.includes('"msg":"ready"');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts modelrouter as real processes from the built apps (`apps/<name>/dist/main.js`) on free loopback
 * ports, with the registry on a fresh PGlite data directory: five processes (distributed), or one router
 * process hosting the other four services (co-located). `nodeArgs` go before the script (e.g. `--cpu-prof`).
 */
export async function startModelrouter(
  topology: Topology,
  env: Readonly<Record<string, string | undefined>> = {},
  options: { readonly nodeArgs?: readonly string[] } = {},
): Promise<RunningSystem> {
  const dataDir = await mkdtemp(join(tmpdir(), "modelrouter-e2e-"));
  const group = createProcessGroup();
  const host = "127.0.0.1";
  const port = async () => `${host}:${await freePort(host)}`;
  const [router, http, analyzer, decision, registry, executor] = await Promise.all([port(), port(), port(), port(), port(), port()]);
  const base = {
    MODELROUTER_REGISTRY_DATA_DIR: join(dataDir, "registry"),
    MODELROUTER_LOG_LEVEL: "info",
    MODELROUTER_EXECUTOR_WORKERS: "1",
    // A developer's own telemetry settings must not leak in; tests that want traces set them.
    OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces",
    OTEL_TRACES_SAMPLER: undefined,
    OTEL_SDK_DISABLED: undefined,
    ...env,
  };
  const start = (name: string, app: string, vars: Record<string, string>) =>
    group.start({
      name,
      command: process.execPath,
      args: [...(options.nodeArgs ?? []), join(repoRoot, "apps", app, "dist", "main.js")],
      cwd: repoRoot,
      env: { ...base, ...vars },
      readyWhen: isReady,
      timeoutMs: 60_000,
    });

  const processes: RunningProcess[] = [];
  let addresses: Record<string, string>;
  try {
    if (topology === "co-located") {
      processes.push(
        await start("router", "router", {
          MODELROUTER_COLOCATE: "analyzer,decision-engine,executor,registry",
          MODELROUTER_ROUTER_LISTEN: router,
          MODELROUTER_ROUTER_HTTP_LISTEN: http,
        }),
      );
      addresses = { router };
    } else {
      processes.push(await start("registry", "registry", { MODELROUTER_REGISTRY_LISTEN: registry }));
      processes.push(
        ...(await Promise.all([
          start("analyzer", "analyzer", { MODELROUTER_ANALYZER_LISTEN: analyzer }),
          start("executor", "executor", { MODELROUTER_EXECUTOR_LISTEN: executor }),
          start("decision-engine", "decision-engine", {
            MODELROUTER_DECISION_LISTEN: decision,
            MODELROUTER_REGISTRY_ADDRESS: registry,
          }),
        ])),
      );
      processes.push(
        await start("router", "router", {
          MODELROUTER_ROUTER_LISTEN: router,
          MODELROUTER_ROUTER_HTTP_LISTEN: http,
          MODELROUTER_ANALYZER_ADDRESS: analyzer,
          MODELROUTER_DECISION_ADDRESS: decision,
          MODELROUTER_EXECUTOR_ADDRESS: executor,
          MODELROUTER_REGISTRY_ADDRESS: registry,
        }),
      );
      addresses = { router, analyzer, "decision-engine": decision, registry, executor };
    }
  } catch (error) {
    await group.stopAll("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  const channels = new Map<string, GrpcChannel>();
  const channel = (address: string): GrpcChannel => {
    let c = channels.get(address);
    if (c === undefined) {
      c = createGrpcChannel(address);
      channels.set(address, c);
    }
    return c;
  };
  const registryAddress = topology === "co-located" ? router : registry;
  return {
    topology,
    routerAddress: router,
    registryAddress,
    addresses,
    httpUrl: `http://${http}`,
    router: createGrpcClient(RouterService, channel(router), { defaultTimeoutMs: 20_000 }),
    registry: createGrpcClient(RegistryService, channel(registryAddress), { defaultTimeoutMs: 20_000 }),
    processes,
    channel,
    async allServing() {
      if (!processes.every((p) => isAlive(p.pid))) return false;
      for (const address of Object.values(addresses)) {
        const health = createGrpcClient(Health, channel(address), { defaultTimeoutMs: 5000 });
        const { status } = await health.check({ service: "" });
        if (status !== HealthCheckResponse_ServingStatus.SERVING) return false;
      }
      return true;
    },
    async stop() {
      for (const c of channels.values()) c.close();
      const codes = await group.stopAll("SIGTERM", 15_000);
      await rm(dataDir, { recursive: true, force: true });
      return codes;
    },
  };
}
