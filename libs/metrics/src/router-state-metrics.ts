import { Counter, Gauge, type Registry } from "prom-client";

/** Where the router's state is read from when Prometheus scrapes. */
export interface RouterStateSources {
  /** The adaptive concurrency limit and the requests it holds; undefined when admission control is off. */
  readonly admission?: (() => { readonly limit: number; readonly inFlight: number }) | undefined;
  /** The decision recorder's counters. */
  readonly decisionLog: () => { readonly recorded: number; readonly dropped: number; readonly failed: number };
  /** The executor instances the router knows, each with its circuit breaker's state and the router's calls in flight on it. */
  readonly executors?: () => readonly ExecutorInstanceSnapshot[];
}

/** An executor instance as the router sees it. */
export interface ExecutorInstanceSnapshot {
  /** Its address (`""`: a co-located executor). */
  readonly name: string;
  readonly state: "healthy" | "probing" | "ejected";
  readonly inFlight: number;
}

const BREAKER_STATES = ["healthy", "probing", "ejected"] as const;

/**
 * The router's state, read when Prometheus scrapes (nothing is added to the request path):
 * `modelrouter_router_admission_limit` and `modelrouter_router_admission_in_flight` (admission control's adaptive
 * limit and the requests it holds), `modelrouter_decision_log_records_total` by `result` (`recorded`, `dropped`:
 * beyond the writes in flight, `failed`), and per executor instance (label `executor`, its address; not `instance`,
 * which Prometheus gives the scraped target) `modelrouter_executor_instance_state` (1 for its circuit breaker's
 * `state`, 0 for the others) and `modelrouter_executor_instance_in_flight` (this router's calls on it).
 */
export function createRouterStateMetrics(registry: Registry, sources: RouterStateSources): void {
  const admission = sources.admission;
  if (admission !== undefined) {
    new Gauge({
      name: "modelrouter_router_admission_limit",
      help: "The adaptive concurrency limit of admission control: requests beyond it (the lower tiers first) are shed with UNAVAILABLE.",
      registers: [registry],
      collect() {
        this.set(admission().limit);
      },
    });
    new Gauge({
      name: "modelrouter_router_admission_in_flight",
      help: "Requests admission control holds (admitted and not yet answered).",
      registers: [registry],
      collect() {
        this.set(admission().inFlight);
      },
    });
  }
  const executors = sources.executors;
  if (executors !== undefined) {
    new Gauge({
      name: "modelrouter_executor_instance_state",
      help: "The circuit breaker state of each executor instance as this router sees it: 1 for the current state (healthy, probing, ejected).",
      labelNames: ["executor", "state"],
      registers: [registry],
      collect() {
        this.reset();
        for (const instance of executors()) for (const state of BREAKER_STATES) this.set({ executor: instance.name, state }, instance.state === state ? 1 : 0);
      },
    });
    new Gauge({
      name: "modelrouter_executor_instance_in_flight",
      help: "This router's calls in flight on each executor instance.",
      labelNames: ["executor"],
      registers: [registry],
      collect() {
        this.reset();
        for (const instance of executors()) this.set({ executor: instance.name }, instance.inFlight);
      },
    });
  }
  new Counter({
    name: "modelrouter_decision_log_records_total",
    help: "Decision records by result: recorded, dropped (beyond the writes in flight), failed.",
    labelNames: ["result"],
    registers: [registry],
    collect() {
      this.reset();
      const stats = sources.decisionLog();
      for (const result of ["recorded", "dropped", "failed"] as const) this.inc({ result }, stats[result]);
    },
  });
}
