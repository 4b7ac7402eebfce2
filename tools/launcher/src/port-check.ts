import { createServer } from "node:net";
import { parseHostPort } from "@modelrouter/syntax";
import { LaunchError } from "./launch-error.js";
import { EXECUTORS_VARIABLE } from "./more-executors.js";
import type { ListenAddresses } from "./listen-addresses.js";
import { endpointsOf, ENDPOINT_DESCRIPTION, listenVariable, type Endpoint, type Topology } from "./services.js";

/** Why a listener could not be opened: undefined when it could, else the error's code (`EADDRINUSE`, …) and message. */
function tryListen(host: string, port: number): Promise<{ code: string; message: string } | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", (error: NodeJS.ErrnoException) => resolve({ code: error.code ?? "", message: error.message }));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Checks that every address the topology listens on (and the executors after the first) can be listened on now,
 * before any process starts. Throws a
 * {@link LaunchError} naming, for each that cannot, what it is and the variable that moves it.
 */
export async function checkPortsFree(topology: Topology, listen: ListenAddresses, moreExecutors: readonly string[] = []): Promise<void> {
  const problems: string[] = [];
  for (const endpoint of endpointsOf(topology)) {
    const address = endpoint === "router-http" ? listen.http : listen.grpc[endpoint as Exclude<Endpoint, "router-http">];
    if (address === undefined) continue;
    const parsed = parseHostPort(address);
    if (parsed === undefined) continue;
    const failure = await tryListen(parsed.host, parsed.port);
    if (failure === undefined) continue;
    const variable = listenVariable(endpoint);
    problems.push(
      failure.code === "EADDRINUSE"
        ? `port ${parsed.port} on ${parsed.host} is taken (${ENDPOINT_DESCRIPTION[endpoint]}): stop what uses it, or move it with ${variable}=${parsed.host.includes(":") ? `[${parsed.host}]` : parsed.host}:<another port>`
        : `${variable}=${address}: cannot listen there (${failure.message}); give an address of this machine, for example 127.0.0.1:${parsed.port}`,
    );
  }
  for (const address of moreExecutors) {
    const parsed = parseHostPort(address);
    if (parsed === undefined) continue;
    const failure = await tryListen(parsed.host, parsed.port);
    if (failure === undefined) continue;
    problems.push(
      `port ${parsed.port} on ${parsed.host} is taken (an executor after the first, ${EXECUTORS_VARIABLE}): stop what uses it, or move the executors with ${listenVariable("executor")}`,
    );
  }
  if (problems.length > 0) throw new LaunchError(problems);
}
