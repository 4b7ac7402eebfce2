import { toBinary } from "@bufbuild/protobuf";
import { InferRequestSchema, InferResponseSchema, type InferResponse } from "@modelrouter/contracts";
import { fromBinary } from "@bufbuild/protobuf";
import { loadDemoModels, loadDemoPolicies } from "@modelrouter/model-zoo";
import { freePort, startModelrouter, startOtlpReceiver, type OtlpReceiver } from "@modelrouter/testing";
import { EXPECTED_MODEL } from "../grpc/payloads.js";
import type { RunningScenario } from "./running-scenario.js";
import type { ScenarioSpec } from "./scenario-spec.js";
import { startRemoteExecutorSystem, type ScenarioSystem } from "./start-remote-executor.js";

/** Options of {@link startModelrouterScenario}. */
export interface ModelrouterScenarioOptions {
  /** The encoded benchmark request. */
  readonly request: Uint8Array;
  /** Variables laid over the services' environment (e.g. `MODELROUTER_EXECUTOR_WORKERS`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long to wait for the first correct answer. Default 60 s. */
  readonly readyTimeoutMs?: number;
}

/** The order in which tables list modelrouter's processes: the front first, then along the request's path. */
const SERVICE_ORDER = ["router", "analyzer", "decision-engine", "executor", "registry"];

/**
 * The variables of every benchmark scenario's services: admission control off and tenant limits that never refuse.
 * The benchmark measures serving: a capacity run overloads the router on purpose, and admission control or the
 * default per-tenant rate limit (1,000 requests/s) would answer most of it with fast refusals. The overload command
 * (`npm run overload`) measures admission control and the limits on their own.
 */
const UNTHROTTLED = {
  MODELROUTER_ADMISSION: "off",
  MODELROUTER_TENANT_LIMITS: "*=1000000/s,burst=1000000,concurrency=100000",
} as const;

async function firstAnswer(system: ScenarioSystem, request: Uint8Array, timeoutMs: number): Promise<InferResponse> {
  const typed = fromBinary(InferRequestSchema, request);
  const end = Date.now() + timeoutMs;
  let last = "no answer yet";
  for (;;) {
    try {
      const answer = await system.router.infer(typed);
      if (answer.model?.name === EXPECTED_MODEL) return answer;
      last = `answered by ${answer.model?.name ?? "no model"}, expected ${EXPECTED_MODEL}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > end) throw new Error(`modelrouter (${system.topology}) never routed the benchmark request correctly: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Starts modelrouter in the scenario's topology with `startModelrouter` (five processes, or one co-locating
 * the other four services), or with a remote executor ({@link startRemoteExecutorSystem}), registers the model zoo, applies the demo policies and waits until the benchmark
 * request is answered by `digits-lowres-specialist`. Tracing is off (`OTEL_SDK_DISABLED=true`) or on at 100 %
 * (`always_on`) exporting to a fresh OTLP receiver in this process. Admission control and tenant limits are off. With `metrics`, the router serves Prometheus
 * metrics and this process scrapes them every second while the scenario runs.
 */
export async function startModelrouterScenario(spec: ScenarioSpec, options: ModelrouterScenarioOptions): Promise<RunningScenario> {
  if (spec.topology === undefined) throw new Error(`${spec.id} is not a modelrouter scenario`);
  let receiver: OtlpReceiver | undefined;
  let system: ScenarioSystem | undefined;
  try {
    // Decoding waits until the spans are read after each run: the collector's CPU is not modelrouter's.
    receiver = spec.tracing ? await startOtlpReceiver({ decode: "on-read" }) : undefined;
    const tracing =
      receiver === undefined
        ? { OTEL_SDK_DISABLED: "true" }
        : { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: "always_on" };
    const metricsAt = spec.metrics === true ? `127.0.0.1:${await freePort()}` : undefined;
    const env = {
      // The executor's own default (one worker per CPU) unless the caller sets it.
      MODELROUTER_EXECUTOR_WORKERS: undefined,
      ...UNTHROTTLED,
      ...tracing,
      ...(metricsAt === undefined ? {} : { MODELROUTER_ROUTER_METRICS_LISTEN: metricsAt }),
      ...options.env,
    };
    system = spec.remoteExecutor === true ? await startRemoteExecutorSystem(env) : await startModelrouter(spec.topology, env);
    for (const model of loadDemoModels()) await system.registry.registerModel({ model });
    for (const policy of loadDemoPolicies()) await system.registry.applyPolicy({ policy });
    const answer = await firstAnswer(system, options.request, options.readyTimeoutMs ?? 60_000);
    const running = system;
    const ownReceiver = receiver;
    // A Prometheus scraping every second: the metrics' cost includes their collection.
    const scrape = (): Promise<unknown> => fetch(`http://${metricsAt}/metrics`).then((r) => r.text()).catch(() => undefined);
    const scraper = metricsAt === undefined ? undefined : setInterval(() => void scrape(), 1_000);
    return {
      spec,
      address: running.routerAddress,
      processes: running.processes
        .map((p) => ({ name: p.name, pid: p.pid }))
        .sort((a, b) => SERVICE_ORDER.indexOf(a.name) - SERVICE_ORDER.indexOf(b.name)),
      ...(ownReceiver === undefined ? {} : { receiver: ownReceiver }),
      responseBytes: toBinary(InferResponseSchema, answer).length,
      stop: async () => {
        if (scraper !== undefined) clearInterval(scraper);
        try {
          await running.stop();
        } finally {
          await ownReceiver?.close();
        }
      },
    };
  } catch (error) {
    await system?.stop().catch(() => undefined);
    await receiver?.close();
    throw error;
  }
}
