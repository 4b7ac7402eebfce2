import type { BenchResult } from "../run/bench-result.js";
import type { ScenarioId } from "../scenarios/scenario-spec.js";
import { bestModelServer, serverCpuUs, type Aggregate } from "./aggregate.js";

/** The headline figure of a run: what the router itself costs in CPU per request, at capacity. */
export interface RouterCpu {
  /** The bare grpc-js echo's server CPU, µs/request: the floor of any Node gRPC service. */
  readonly echoUs: number;
  /** The best bare model server of the run (higher median capacity), if one was measured. */
  readonly modelServer: ScenarioId | undefined;
  /** Its server CPU, µs/request. */
  readonly modelServerUs: number;
  /** modelrouter co-located: the one process's CPU, µs/request. */
  readonly colocatedUs: number;
  /** The router's own CPU co-located: {@link colocatedUs} − {@link modelServerUs}. */
  readonly colocatedOwnUs: number;
  /** modelrouter with a remote executor: the router process alone (the router's own CPU), µs/request. */
  readonly remoteRouterUs: number;
  /** …and its executor process (the model server it calls), µs/request. */
  readonly remoteExecutorUs: number;
}

/**
 * The router's own CPU per request at capacity, from one run: co-located, the process's CPU minus the best bare
 * model server's (the model's work and the serving both do); with a remote executor, the router process alone.
 * Figures not measured are NaN.
 */
export function routerCpu(result: Pick<BenchResult, "scenarios">, cells: Aggregate): RouterCpu {
  const processes = (id: ScenarioId): readonly string[] => result.scenarios.find((s) => s.id === id)?.processes ?? [];
  const all = (id: ScenarioId): number => serverCpuUs(cells, id, processes(id));
  const only = (id: ScenarioId, name: string): number => (processes(id).includes(name) ? serverCpuUs(cells, id, [name]) : Number.NaN);
  const modelServer = bestModelServer(cells);
  const modelServerUs = modelServer === undefined ? Number.NaN : all(modelServer);
  const colocatedUs = all("colocated");
  return {
    echoUs: all("echo"),
    modelServer,
    modelServerUs,
    colocatedUs,
    colocatedOwnUs: colocatedUs - modelServerUs,
    remoteRouterUs: only("remote-executor", "router"),
    remoteExecutorUs: only("remote-executor", "executor"),
  };
}
