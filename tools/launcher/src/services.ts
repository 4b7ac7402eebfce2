/** How the services are deployed: five processes, or one router process hosting the other four. */
export type Topology = "distributed" | "co-located";

/** The five services, by the name each logs as `service`. */
export const SERVICE_NAMES = ["router", "analyzer", "decision-engine", "registry", "executor"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** What a process listens on: each service's gRPC address, and the router's Connect/JSON edge. */
export type Endpoint = ServiceName | "router-http";

/** Every endpoint, in the order the banner and messages list them. */
export const ENDPOINTS: readonly Endpoint[] = ["router", "router-http", "analyzer", "decision-engine", "registry", "executor"];

/** The `<SERVICE>` part of a service's variables (`MODELROUTER_DECISION_LISTEN`, `MODELROUTER_DECISION_ADDRESS`). */
const VARIABLE_STEM: Readonly<Record<ServiceName, string>> = {
  router: "ROUTER",
  analyzer: "ANALYZER",
  "decision-engine": "DECISION",
  registry: "REGISTRY",
  executor: "EXECUTOR",
};

/** The default listen address of each endpoint (the services' own defaults). */
export const DEFAULT_LISTEN: Readonly<Record<Endpoint, string>> = {
  router: "127.0.0.1:50051",
  "router-http": "127.0.0.1:8080",
  analyzer: "127.0.0.1:50052",
  "decision-engine": "127.0.0.1:50053",
  registry: "127.0.0.1:50054",
  executor: "127.0.0.1:50055",
};

/** What each endpoint is, in words, for messages ("the registry's gRPC API"). */
export const ENDPOINT_DESCRIPTION: Readonly<Record<Endpoint, string>> = {
  router: "the router's gRPC port",
  "router-http": "the router's Connect/JSON port",
  analyzer: "the analyzer's gRPC port",
  "decision-engine": "the decision engine's gRPC port",
  registry: "the registry's gRPC port",
  executor: "the executor's gRPC port",
};

/** The variable a service listens on: `MODELROUTER_<SERVICE>_LISTEN`, or `MODELROUTER_ROUTER_HTTP_LISTEN`. */
export function listenVariable(endpoint: Endpoint): string {
  return endpoint === "router-http" ? "MODELROUTER_ROUTER_HTTP_LISTEN" : `MODELROUTER_${VARIABLE_STEM[endpoint]}_LISTEN`;
}

/** The variable a service finds another at: `MODELROUTER_<SERVICE>_ADDRESS`. */
export function addressVariable(service: ServiceName): string {
  return `MODELROUTER_${VARIABLE_STEM[service]}_ADDRESS`;
}

/** The variable of the old launcher that `listenVariable(endpoint)` replaces (`MODELROUTER_<SERVICE>_PORT`). */
export function retiredPortVariable(endpoint: Endpoint): string {
  return endpoint === "router-http" ? "MODELROUTER_HTTP_PORT" : `MODELROUTER_${VARIABLE_STEM[endpoint]}_PORT`;
}

/** The endpoints a topology listens on. */
export function endpointsOf(topology: Topology): readonly Endpoint[] {
  return topology === "distributed" ? ENDPOINTS : ["router", "router-http", "registry"];
}

/** The services the router process hosts in the co-located topology (`MODELROUTER_COLOCATE`). */
export const COLOCATED_SERVICES = "analyzer,decision-engine,executor,registry";
