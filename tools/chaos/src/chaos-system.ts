import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromJson } from "@bufbuild/protobuf";
import { PolicySchema, RegistryService, RouterService } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { createGrpcChannel, createGrpcClient, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { appStarter, createProcessGroup, freePort, type RunningProcess } from "@modelrouter/testing";
import { copyInitializedRegistryDir } from "./registry-template.js";

const digit = loadSampleIndex().find((s) => s.kind === "mnist")!;

/** A handwritten digit as an image payload: what every load of the suite sends. */
export const digitPayload = { kind: { case: "image" as const, value: { data: readFileSync(digit.path), mimeType: "image/png" } } };

/** Builds the suite's policy: every image to `model`. Applying it with another model changes routing. */
export function digitsPolicy(model: string) {
  return fromJson(PolicySchema, {
    name: "digits",
    description: `every image to ${model}`,
    priority: 10,
    when: 'input.modality == "image"',
    defaultRoute: { targets: [{ model: { name: model } }] },
  });
}

/** Options of {@link startChaosSystem}. */
export interface ChaosSystemOptions {
  /** Executor processes, named `executor-1` … (default 1); every router lists them all. */
  readonly executors?: number;
  /** Router processes, named `router-1` … (default 1). */
  readonly routers?: number;
  /** Analyzer processes (default 1, named `analyzer`; several are `analyzer-1` …); every router lists them all. */
  readonly analyzers?: number;
  /** Decision engine processes (default 1, named `decision-engine`; several are `decision-engine-1` …); every router lists them all. */
  readonly decisionEngines?: number;
  /** The registry's store: a PostgreSQL URL, or its own PGlite data directory (default). */
  readonly registryDatabaseUrl?: string;
  /** Settings laid over every service's. Tracing is off unless they turn it on (`OTEL_SDK_DISABLED: "false"`). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A distributed modelrouter whose processes a scenario may kill, stop, resume and start again. */
export interface ChaosSystem {
  /** A client of each router, in order. */
  readonly routers: readonly ServiceClient<typeof RouterService>[];
  readonly registry: ServiceClient<typeof RegistryService>;
  /** The names of the processes, e.g. `registry`, `executor-2`, `router-1`. */
  readonly names: readonly string[];
  /** The current process of a service. */
  process(name: string): RunningProcess;
  /** Its listen address. */
  address(name: string): string;
  /** Starts the service again on its old address and settings (after it was killed or stopped); resolves once it is ready. */
  start(name: string): Promise<RunningProcess>;
  /** Sends a signal to the service's current process (SIGSTOP, SIGCONT, …) without waiting. */
  signal(name: string, signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

interface ServiceSpec {
  readonly app: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Starts the registry, analyzer, decision engine, `executors` executors and `routers` routers (admission control
 * off: the scenarios measure faults, not overload) as processes on free loopback ports, registers digits-general and digits-lite, applies the policy sending every image to
 * digits-general, and resolves once every router has answered and every executor has served a request.
 */
export async function startChaosSystem(options: ChaosSystemOptions = {}): Promise<ChaosSystem> {
  const group = createProcessGroup();
  const start = appStarter(group);
  const channels: GrpcChannel[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), "modelrouter-chaos-"));
  const current = new Map<string, RunningProcess>();
  const stopped = new Set<string>();
  const stop = async () => {
    for (const c of channels) c.close();
    for (const name of stopped) {
      const pid = current.get(name)?.pid;
      if (pid !== undefined) process.kill(pid, "SIGCONT");
    }
    await group.stopAll("SIGTERM", 20_000).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const executorCount = options.executors ?? 1;
    const routerCount = options.routers ?? 1;
    const address = async () => `127.0.0.1:${await freePort()}`;
    const at = new Map<string, string>();
    const executors = Array.from({ length: executorCount }, (_, i) => `executor-${i + 1}`);
    const routers = Array.from({ length: routerCount }, (_, i) => `router-${i + 1}`);
    const named = (base: string, count: number) => (count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}-${i + 1}`));
    const analyzers = named("analyzer", options.analyzers ?? 1);
    const decisionEngines = named("decision-engine", options.decisionEngines ?? 1);
    for (const name of ["registry", ...analyzers, ...decisionEngines, ...executors, ...routers]) at.set(name, await address());
    const registryAt = at.get("registry")!;
    const specs = new Map<string, ServiceSpec>();
    specs.set("registry", {
      app: "registry",
      env: {
        MODELROUTER_REGISTRY_LISTEN: registryAt,
        ...(options.registryDatabaseUrl === undefined
          ? { MODELROUTER_REGISTRY_DATA_DIR: join(dataDir, "registry") }
          : { MODELROUTER_REGISTRY_DATABASE_URL: options.registryDatabaseUrl }),
      },
    });
    for (const name of analyzers) specs.set(name, { app: "analyzer", env: { MODELROUTER_ANALYZER_LISTEN: at.get(name)! } });
    for (const name of decisionEngines) {
      specs.set(name, { app: "decision-engine", env: { MODELROUTER_DECISION_LISTEN: at.get(name)!, MODELROUTER_REGISTRY_ADDRESS: registryAt } });
    }
    for (const name of executors) {
      specs.set(name, { app: "executor", env: { MODELROUTER_EXECUTOR_LISTEN: at.get(name)!, MODELROUTER_REGISTRY_ADDRESS: registryAt, MODELROUTER_EXECUTOR_WORKERS: "1" } });
    }
    for (const name of routers) {
      specs.set(name, {
        app: "router",
        env: {
          MODELROUTER_ROUTER_LISTEN: at.get(name)!,
          MODELROUTER_ROUTER_HTTP_LISTEN: "off",
          MODELROUTER_ANALYZER_ADDRESS: analyzers.map((a) => at.get(a)!).join(","),
          MODELROUTER_DECISION_ADDRESS: decisionEngines.map((d) => at.get(d)!).join(","),
          MODELROUTER_REGISTRY_ADDRESS: registryAt,
          MODELROUTER_EXECUTOR_ADDRESS: executors.map((e) => at.get(e)!).join(","),
          // Faults, not overload: the adaptive admission gate would shed the load when a fault raises latency
          // on a busy machine (docs/reliability.md#overload measures it on its own).
          MODELROUTER_ADMISSION: "off",
        },
      });
    }
    const startService = async (name: string) => {
      const spec = specs.get(name);
      if (spec === undefined) throw new Error(`no service named "${name}" (the system has ${[...specs.keys()].join(", ")})`);
      const running = await start(name, spec.app, { OTEL_SDK_DISABLED: "true", ...options.env, ...spec.env });
      current.set(name, running);
      stopped.delete(name);
      return running;
    };
    if (options.registryDatabaseUrl === undefined) await copyInitializedRegistryDir(join(dataDir, "registry"));
    await startService("registry");
    await Promise.all([...analyzers, ...decisionEngines, ...executors].map(startService));
    await Promise.all(routers.map(startService));

    const channel = (target: string) => {
      const created = createGrpcChannel(target);
      channels.push(created);
      return created;
    };
    const registry = createGrpcClient(RegistryService, channel(registryAt), { defaultTimeoutMs: 10_000 });
    const routerClients = routers.map((name) => createGrpcClient(RouterService, channel(at.get(name)!), { defaultTimeoutMs: 10_000 }));
    for (const model of loadDemoModels().filter((m) => m.name === "digits-general" || m.name === "digits-lite")) await registry.registerModel({ model });
    await registry.applyPolicy({ policy: digitsPolicy("digits-general") });
    const end = Date.now() + 60_000;
    const seen = new Set<string>();
    const answered = new Set<number>();
    while (seen.size < executorCount || answered.size < routerCount) {
      for (const [i, router] of routerClients.entries()) {
        const answer = await router.infer({ payload: digitPayload }).catch(() => undefined);
        if (answer?.model?.name !== "digits-general") continue;
        answered.add(i);
        seen.add(answer.attempts.at(-1)?.instance ?? "");
      }
      if (Date.now() > end) throw new Error(`the system never served from every executor and router (executors seen: ${[...seen].join(", ")})`);
    }
    return {
      routers: routerClients,
      registry,
      names: [...specs.keys()],
      process(name) {
        const running = current.get(name);
        if (running === undefined) throw new Error(`no service named "${name}"`);
        return running;
      },
      address(name) {
        const found = at.get(name);
        if (found === undefined) throw new Error(`no service named "${name}"`);
        return found;
      },
      start: startService,
      signal(name, signal) {
        const running = current.get(name);
        if (running === undefined) throw new Error(`no service named "${name}"`);
        process.kill(running.pid, signal);
        if (signal === "SIGSTOP") stopped.add(name);
        if (signal === "SIGCONT") stopped.delete(name);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
