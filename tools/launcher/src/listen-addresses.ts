import { parseHostPort, type HostPort } from "@modelrouter/syntax";
import { LaunchError } from "./launch-error.js";
import { DEFAULT_LISTEN, endpointsOf, listenVariable, SERVICE_NAMES, type Endpoint, type ServiceName, type Topology } from "./services.js";

/** Listen addresses by endpoint, as given (`router-http` may be `off`); the others take their defaults. */
export type ListenOverrides = Readonly<Partial<Record<Endpoint, string>>>;

/** Where each process listens. */
export interface ListenAddresses {
  /** The gRPC `host:port` of each service (in the co-located topology only the router's and the registry's are used). */
  readonly grpc: Readonly<Record<ServiceName, string>>;
  /** The router's Connect/JSON `host:port`, or undefined when it is `off`. */
  readonly http: string | undefined;
}

const isWildcard = (host: string): boolean => host === "0.0.0.0" || (host.includes(":") && /^[0:]+$/.test(host));

function clash(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && (a.host === b.host || isWildcard(a.host) || isWildcard(b.host));
}

/**
 * The listen addresses of a topology: each given one checked (a `host:port` with a real port, `off` only for the
 * router's HTTP edge), the others at their defaults, no two on the same port. Throws a {@link LaunchError} naming
 * each bad variable (`MODELROUTER_<SERVICE>_LISTEN`, `MODELROUTER_ROUTER_HTTP_LISTEN`) and how to fix it.
 */
export function resolveListen(topology: Topology, given: ListenOverrides = {}): ListenAddresses {
  const problems: string[] = [];
  const parsed = new Map<Endpoint, HostPort>();
  for (const endpoint of endpointsOf(topology)) {
    const value = (given[endpoint] ?? DEFAULT_LISTEN[endpoint]).trim();
    const variable = listenVariable(endpoint);
    if (endpoint === "router-http" && value === "off") continue;
    const address = parseHostPort(value);
    if (address === undefined) {
      const off = endpoint === "router-http" ? ", or off" : "";
      problems.push(`${variable}=${JSON.stringify(value)}: expected host:port, for example ${DEFAULT_LISTEN[endpoint]}${off}`);
      continue;
    }
    if (address.port === 0) {
      problems.push(
        `${variable}=${value}: port 0 (any free port) cannot be passed on to the services that call it; give a port, for example ${DEFAULT_LISTEN[endpoint]}`,
      );
      continue;
    }
    const taken = [...parsed].find(([, other]) => clash(other, address));
    if (taken !== undefined) {
      problems.push(`${variable}=${value}: the same port as ${listenVariable(taken[0])}; give each service a port of its own`);
      continue;
    }
    parsed.set(endpoint, address);
  }
  if (problems.length > 0) throw new LaunchError(problems);
  const grpc = Object.fromEntries(SERVICE_NAMES.map((name) => [name, (given[name] ?? DEFAULT_LISTEN[name]).trim()])) as Record<ServiceName, string>;
  const http = (given["router-http"] ?? DEFAULT_LISTEN["router-http"]).trim();
  return { grpc, http: http === "off" ? undefined : http };
}
