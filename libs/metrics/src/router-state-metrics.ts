import { Counter, Gauge, type Registry } from "prom-client";

/** Where the router's state is read from when Prometheus scrapes. */
export interface RouterStateSources {
  /** The adaptive concurrency limit and the requests it holds; undefined when admission control is off. */
  readonly admission?: (() => { readonly limit: number; readonly inFlight: number }) | undefined;
  /** The decision recorder's counters. */
  readonly decisionLog: () => { readonly recorded: number; readonly dropped: number; readonly failed: number };
}

/**
 * The router's state, read when Prometheus scrapes (nothing is added to the request path):
 * `modelrouter_router_admission_limit` and `modelrouter_router_admission_in_flight` (admission control's adaptive
 * limit and the requests it holds), and `modelrouter_decision_log_records_total` by `result` (`recorded`, `dropped`:
 * beyond the writes in flight, `failed`).
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
