import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  type DecideResponse,
  DecisionService,
  type ModelSchema,
  Modality,
  type PolicySchema,
  RegistryService,
} from "@modelrouter/contracts";
import { type RegistryStore, createRegistryService, openPgliteDatabase, openRegistryStore } from "@modelrouter/registry-service/testing";
import { type RpcError, type ServiceClient, createDirectClient, isRpcError } from "@modelrouter/rpc-kit";
import { type Logger, createLogger } from "@modelrouter/telemetry";
import { type CatalogueSync, type CatalogueSyncOptions, createCatalogueSync, createDecisionService } from "./index.js";

/** A logger that keeps its lines, for assertions and quiet test output. */
export function memoryLogger(lines: string[], service = "decision-test"): Logger {
  return createLogger({ service, level: "debug", write: (line) => lines.push(line) });
}

/** The parsed log lines with this message. */
export function logged(lines: readonly string[], message: string): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line["msg"] === message);
}

/** A real registry service on an in-memory PGlite database, with a direct (co-located) client. */
export interface TestRegistry {
  readonly client: ServiceClient<typeof RegistryService>;
  readonly store: RegistryStore;
  readonly service: ReturnType<typeof createRegistryService>;
  close(): Promise<void>;
}

/** Starts a registry on a fresh in-memory database; `watchLimits` can force snapshots into several messages. */
export async function startRegistry(watchLimits?: { maxChanges: number }): Promise<TestRegistry> {
  const logger = memoryLogger([], "registry-test");
  const store = await openRegistryStore({ db: await openPgliteDatabase(), logger });
  const service = createRegistryService({ store, logger, ...(watchLimits === undefined ? {} : { watchLimits }) });
  const client = createDirectClient(RegistryService, service, { defaultTimeoutMs: 30_000 });
  return { client, store, service, close: () => store.close() };
}

/** A decision engine following a registry: the catalogue sync, the service, a direct client and its logs. */
export interface TestEngine {
  readonly sync: CatalogueSync;
  readonly client: ServiceClient<typeof DecisionService>;
  readonly logs: string[];
  close(): Promise<void>;
}

/** Starts a decision engine on `registry`, at a fixed clock. */
export function startEngine(
  registry: ServiceClient<typeof RegistryService>,
  options: Partial<Omit<CatalogueSyncOptions, "registry" | "logger">> = {},
): TestEngine {
  const logs: string[] = [];
  const sync = createCatalogueSync({ registry, logger: memoryLogger(logs), retryDelayMs: 20, maxRetryDelayMs: 200, ...options });
  const impl = createDecisionService({ catalogue: sync, registry, clock: () => Date.UTC(2024, 5, 1, 12), random: () => 0.5 });
  const client = createDirectClient(DecisionService, impl, { defaultTimeoutMs: 30_000 });
  return { sync, client, logs, close: () => sync.close() };
}

/** A valid model version for the registry: by default an image model with an ONNX backend. */
export function modelInit(
  name: string,
  version: string,
  options: { modality?: Modality; labels?: Record<string, string> } = {},
): MessageInitShape<typeof ModelSchema> {
  return {
    name,
    version,
    modality: options.modality ?? Modality.IMAGE,
    labels: options.labels ?? {},
    backend: { kind: { case: "onnx", value: { uri: `${name}-${version}.onnx` } } },
  };
}

/** A policy with one default route to `targets` (model names). */
export function defaultRoutePolicy(
  name: string,
  targets: string[],
  options: { priority?: number; when?: string } = {},
): MessageInitShape<typeof PolicySchema> {
  return {
    name,
    priority: options.priority ?? 0,
    when: options.when ?? "",
    defaultRoute: { targets: targets.map((t) => ({ kind: { case: "model" as const, value: { name: t } } })) },
  };
}

/** Polls `check` until it stops throwing (every 10 ms, for at most `timeoutMs`), then returns its result. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - start > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** The RpcError a call fails with. */
export async function rpcFailure(call: Promise<unknown>): Promise<RpcError> {
  try {
    await call;
  } catch (error) {
    if (isRpcError(error)) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

/** The target of a decision as "name@version". */
export function targetOf(response: DecideResponse): string {
  const model = response.decision?.target?.model;
  return `${model?.name}@${model?.version}`;
}
