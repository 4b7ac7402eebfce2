import { callAddress } from "./call-address.js";
import type { ListenAddresses } from "./listen-addresses.js";
import { addressVariable, COLOCATED_SERVICES, listenVariable, type ServiceName, type Topology } from "./services.js";

/** One process to start: its name, the app it runs (`apps/<app>/dist/main.js`) and the variables it is given. */
export interface ProcessPlan {
  readonly name: string;
  readonly app: ServiceName;
  /** Laid over the launcher's environment; `undefined` removes a variable. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Where clients call a running modelrouter. */
export interface SystemAddresses {
  /** RouterService (gRPC), `host:port`. */
  readonly router: string;
  /** RegistryService (gRPC), `host:port`: the registry's own port in both topologies. */
  readonly registry: string;
  /** The router's Connect/JSON base URL (`http://host:port`), or undefined when its HTTP edge is off. */
  readonly http: string | undefined;
  /** Every gRPC address by the service whose API it serves (co-located: the router and the registry). */
  readonly services: Readonly<Partial<Record<ServiceName, string>>>;
}

/** The addresses to call, derived from the listen addresses (a wildcard is called on loopback). */
export function systemAddresses(topology: Topology, listen: ListenAddresses): SystemAddresses {
  const call = (name: ServiceName): string => callAddress(listen.grpc[name]);
  const names: readonly ServiceName[] =
    topology === "distributed" ? ["router", "analyzer", "decision-engine", "registry", "executor"] : ["router", "registry"];
  return {
    router: call("router"),
    registry: call("registry"),
    http: listen.http === undefined ? undefined : `http://${callAddress(listen.http)}`,
    services: Object.fromEntries(names.map((name) => [name, call(name)])),
  };
}

/**
 * The processes of a topology in start stages (each stage starts once the one before is ready): every process gets
 * its `MODELROUTER_<SERVICE>_LISTEN` and the `MODELROUTER_<SERVICE>_ADDRESS` of each service it calls, derived
 * from that service's listen address, so that moving one port moves it for everyone. `moreExecutors` are the
 * listen addresses of executors after the first (distributed only: `executor-2`, `executor-3`, …); the router's
 * `MODELROUTER_EXECUTOR_ADDRESS` lists every executor.
 */
export function planProcesses(
  topology: Topology,
  listen: ListenAddresses,
  dataDir: string | undefined,
  moreExecutors: readonly string[] = [],
): ProcessPlan[][] {
  const listenOf = (name: ServiceName) => ({ [listenVariable(name)]: listen.grpc[name] });
  const addressOf = (name: ServiceName) => ({ [addressVariable(name)]: callAddress(listen.grpc[name]) });
  const storage = dataDir === undefined ? {} : { MODELROUTER_REGISTRY_DATA_DIR: dataDir };
  const http = { [listenVariable("router-http")]: listen.http ?? "off" };
  if (topology === "co-located") {
    return [
      [
        {
          name: "router",
          app: "router",
          env: { MODELROUTER_COLOCATE: COLOCATED_SERVICES, ...listenOf("router"), ...http, ...listenOf("registry"), ...storage },
        },
      ],
    ];
  }
  return [
    [{ name: "registry", app: "registry", env: { ...listenOf("registry"), ...storage } }],
    [
      { name: "analyzer", app: "analyzer", env: listenOf("analyzer") },
      { name: "executor", app: "executor", env: { ...listenOf("executor"), ...addressOf("registry") } },
      ...moreExecutors.map(
        (address, i): ProcessPlan => ({
          name: `executor-${i + 2}`,
          app: "executor",
          env: { [listenVariable("executor")]: address, ...addressOf("registry") },
        }),
      ),
      { name: "decision-engine", app: "decision-engine", env: { ...listenOf("decision-engine"), ...addressOf("registry") } },
    ],
    [
      {
        name: "router",
        app: "router",
        env: {
          MODELROUTER_COLOCATE: undefined,
          ...listenOf("router"),
          ...http,
          ...addressOf("analyzer"),
          ...addressOf("decision-engine"),
          [addressVariable("executor")]: [listen.grpc.executor, ...moreExecutors].map(callAddress).join(","),
          ...addressOf("registry"),
        },
      },
    ],
  ];
}
