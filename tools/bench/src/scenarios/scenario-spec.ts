/** The configurations one benchmark run measures side by side. */
export type ScenarioId =
  | "echo"
  | "fanout3"
  | "model-main"
  | "model-pool"
  | "colocated"
  | "colocated-traced"
  | "colocated-metrics"
  | "remote-executor"
  | "distributed"
  | "distributed-traced";

/** What a scenario is and what it is compared with. */
export interface ScenarioSpec {
  readonly id: ScenarioId;
  /** Its name in tables. */
  readonly label: string;
  readonly kind: "baseline" | "modelrouter";
  readonly topology?: "co-located" | "distributed";
  /** Tracing on at 100 % sampling with OTLP export to the benchmark's receiver. */
  readonly tracing: boolean;
  /** The baseline whose latency is subtracted to give this scenario's added latency. */
  readonly baseline?: ScenarioId;
  /** The same system with tracing off, for the tracing cost. */
  readonly untraced?: ScenarioId;
  /** Prometheus metrics on (`MODELROUTER_ROUTER_METRICS_LISTEN`), scraped every second during the run. */
  readonly metrics?: boolean;
  /** The same system with metrics off, for the metrics' cost. */
  readonly withoutMetrics?: ScenarioId;
  /** A bare model server: the benchmark's model behind a raw grpc-js server, without modelrouter. */
  readonly modelServer?: boolean;
  /** Also compared with the best bare model server of the run (added latency, the router's own CPU). */
  readonly comparedWithModelServer?: boolean;
  /** Co-located but for the executor, which runs as its own process: the router alone on the hot path. */
  readonly remoteExecutor?: boolean;
}

/** Every scenario, in the order they are run and reported. */
export const SCENARIOS: readonly ScenarioSpec[] = [
  { id: "echo", label: "bare grpc-js echo", kind: "baseline", tracing: false },
  { id: "fanout3", label: "bare front + 3 sequential hops", kind: "baseline", tracing: false },
  { id: "model-main", label: "bare model server, ONNX Runtime on the main thread", kind: "baseline", tracing: false, modelServer: true },
  { id: "model-pool", label: "bare model server, ONNX Runtime in a 2-worker pool", kind: "baseline", tracing: false, modelServer: true },
  {
    id: "colocated",
    label: "modelrouter co-located",
    kind: "modelrouter",
    topology: "co-located",
    tracing: false,
    baseline: "echo",
    comparedWithModelServer: true,
  },
  {
    id: "colocated-traced",
    label: "modelrouter co-located, tracing 100 %",
    kind: "modelrouter",
    topology: "co-located",
    tracing: true,
    baseline: "echo",
    untraced: "colocated",
  },
  {
    id: "colocated-metrics",
    label: "modelrouter co-located, metrics on",
    kind: "modelrouter",
    topology: "co-located",
    tracing: false,
    metrics: true,
    baseline: "echo",
    withoutMetrics: "colocated",
  },
  {
    id: "remote-executor",
    label: "modelrouter, remote executor",
    kind: "modelrouter",
    topology: "co-located",
    remoteExecutor: true,
    tracing: false,
    comparedWithModelServer: true,
  },
  { id: "distributed", label: "modelrouter distributed", kind: "modelrouter", topology: "distributed", tracing: false, baseline: "fanout3" },
  {
    id: "distributed-traced",
    label: "modelrouter distributed, tracing 100 %",
    kind: "modelrouter",
    topology: "distributed",
    tracing: true,
    baseline: "fanout3",
    untraced: "distributed",
  },
];

/** The spec of a scenario id. */
export function scenarioSpec(id: ScenarioId): ScenarioSpec {
  const spec = SCENARIOS.find((s) => s.id === id);
  if (spec === undefined) throw new Error(`unknown scenario ${id}`);
  return spec;
}

/** True when `value` names a scenario. */
export function isScenarioId(value: string): value is ScenarioId {
  return SCENARIOS.some((s) => s.id === value);
}

/**
 * The spans one routed request must produce, by `service kind name` (the method's service shortened to its
 * last part), each once per request. Co-located, the four hops are in-process INTERNAL spans of the router;
 * distributed, each hop is a router CLIENT span plus the callee's SERVER span. A missing key, or one seen
 * less than once per request, is a lost hop.
 */
export function expectedSpans(topology: "co-located" | "distributed"): readonly string[] {
  const hops = [
    ["analyzer", "AnalyzerService/Analyze"],
    ["decision-engine", "DecisionService/Decide"],
    ["executor", "ExecutorService/Execute"],
    ["registry", "RegistryService/RecordDecision"],
  ] as const;
  const base = ["router SERVER RouterService/Infer", "router INTERNAL router.attempt"];
  if (topology === "co-located") return [...base, ...hops.map(([, method]) => `router INTERNAL ${method}`)];
  return [...base, ...hops.flatMap(([service, method]) => [`router CLIENT ${method}`, `${service} SERVER ${method}`])];
}

/** The key under which {@link expectedSpans} lists a span: `service kind name`, the name's package dropped. */
export function spanKey(span: { readonly serviceName: string; readonly kind: string; readonly name: string }): string {
  const slash = span.name.indexOf("/");
  const name = slash < 0 ? span.name : `${span.name.slice(0, slash).split(".").at(-1) ?? ""}${span.name.slice(slash)}`;
  return `${span.serviceName} ${span.kind} ${name}`;
}
