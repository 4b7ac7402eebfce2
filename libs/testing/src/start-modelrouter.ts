import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Health, HealthCheckResponse_ServingStatus, RegistryService, RouterService } from "@modelrouter/contracts";
import { launch, repositoryRoot, type LaunchHandle, type Spawner, type Topology } from "@modelrouter/launcher";
import { createGrpcChannel, createGrpcClient, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { freePort } from "./free-port.js";
import { createProcessGroup, type ProcessGroup } from "./process-group.js";
import type { RunningProcess } from "./start-process.js";

export type { Topology } from "@modelrouter/launcher";

/** The repository root (the built apps are under `apps/<name>/dist`). */
export const repoRoot = repositoryRoot;

/** A running modelrouter with clients of its public services. */
export interface RunningSystem {
  readonly topology: Topology;
  readonly routerAddress: string;
  /** The registry's own gRPC port, in both topologies. */
  readonly registryAddress: string;
  /** Every gRPC address by the service whose API it serves (co-located: the router and the registry). */
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The launcher's processes as test processes ({@link createProcessGroup}): each runs under a reaper, so it never
 * outlives the test run, and its output is kept for assertions and failure messages.
 */
function testProcessSpawner(group: ProcessGroup, started: RunningProcess[]): Spawner {
  return async (request) => {
    // The request's environment is complete: remove what this process has and the request has not.
    const unset = Object.fromEntries(Object.keys(process.env).map((key) => [key, undefined]));
    const running = await group.start({
      name: request.name,
      command: request.command,
      args: request.args,
      cwd: request.cwd,
      env: { ...unset, ...request.env },
      readyWhen: request.readyWhen,
      timeoutMs: request.readyTimeoutMs,
    });
    started.push(running);
    return {
      pid: running.pid,
      ready: Promise.resolve(),
      get exited() {
        return running.exited;
      },
      get output() {
        return running.output;
      },
      signal(signal) {
        try {
          process.kill(running.pid, signal);
        } catch {
          // It has exited.
        }
      },
    };
  };
}

/**
 * Starts modelrouter with the launcher (`launch()` of @modelrouter/launcher, as `npm start` does) from the built
 * apps on free loopback ports, with the registry on a fresh PGlite data directory: five processes (distributed),
 * or one router process hosting the other four services (co-located). `nodeArgs` go before the script (e.g.
 * `--cpu-prof`). A process a test kills does not stop the others.
 */
export async function startModelrouter(
  topology: Topology,
  env: Readonly<Record<string, string | undefined>> = {},
  options: { readonly nodeArgs?: readonly string[] } = {},
): Promise<RunningSystem> {
  const dataDir = await mkdtemp(join(tmpdir(), "modelrouter-e2e-"));
  const group = createProcessGroup();
  const processes: RunningProcess[] = [];
  const port = async () => `127.0.0.1:${await freePort()}`;
  const [router, http, analyzer, decision, registry, executor] = await Promise.all([port(), port(), port(), port(), port(), port()]);
  let handle: LaunchHandle;
  try {
    handle = await launch({
      topology,
      listen: { router, "router-http": http, analyzer, "decision-engine": decision, registry, executor },
      dataDir: join(dataDir, "registry"),
      env: {
        MODELROUTER_LOG_LEVEL: "info",
        MODELROUTER_EXECUTOR_WORKERS: "1",
        // A developer's own telemetry settings must not leak in; tests that want traces set them.
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces",
        OTEL_TRACES_SAMPLER: undefined,
        OTEL_SDK_DISABLED: undefined,
        ...env,
      },
      ...(options.nodeArgs === undefined ? {} : { nodeArgs: options.nodeArgs }),
      spawner: testProcessSpawner(group, processes),
      supervise: false,
      readyTimeoutMs: 60_000,
    });
    await handle.ready;
  } catch (error) {
    await group.stopAll("SIGKILL").catch(() => undefined);
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
  const { addresses } = handle;
  const grpcAddresses = Object.fromEntries(Object.entries(addresses.services).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return {
    topology,
    routerAddress: addresses.router,
    registryAddress: addresses.registry,
    addresses: grpcAddresses,
    httpUrl: addresses.http ?? `http://${http}`,
    router: createGrpcClient(RouterService, channel(addresses.router), { defaultTimeoutMs: 20_000 }),
    registry: createGrpcClient(RegistryService, channel(addresses.registry), { defaultTimeoutMs: 20_000 }),
    processes,
    channel,
    async allServing() {
      if (!processes.every((p) => isAlive(p.pid))) return false;
      for (const address of Object.values(grpcAddresses)) {
        const health = createGrpcClient(Health, channel(address), { defaultTimeoutMs: 5000 });
        const { status } = await health.check({ service: "" });
        if (status !== HealthCheckResponse_ServingStatus.SERVING) return false;
      }
      return true;
    },
    async stop() {
      for (const c of channels.values()) c.close();
      try {
        const outcome = await handle.stop("SIGTERM");
        if (outcome.killed.length > 0) {
          const tails = processes
            .filter((p) => outcome.killed.includes(p.name))
            .map((p) => `${p.name}:\n${p.output.slice(-100).map((line) => `  | ${line}`).join("\n")}`);
          throw new Error(`${outcome.failure ?? "killed"}\n\n${tails.join("\n\n")}`);
        }
        return Object.fromEntries(Object.entries(outcome.exits).map(([name, exit]) => [name, exit.code]));
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
