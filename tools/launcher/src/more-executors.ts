import { formatHostPort, parseHostPort } from "@modelrouter/syntax";
import { LaunchError } from "./launch-error.js";
import type { ListenAddresses } from "./listen-addresses.js";
import type { Topology } from "./services.js";

/** The launcher's variable for how many executor processes to run. */
export const EXECUTORS_VARIABLE = "MODELROUTER_LAUNCH_EXECUTORS";

/** The most executor processes one launch runs. */
export const MAX_EXECUTORS = 16;

/**
 * The listen addresses of the executors after the first, when `count` run: on the first's host, at the ports after
 * its own (`127.0.0.1:50056`, `:50057`, …). Each is an instance of every model, and the router is given them all.
 * Throws a {@link LaunchError} when more than one is asked of the co-located topology, or a port would be past
 * 65535 or another service's.
 */
export function moreExecutorListen(topology: Topology, listen: ListenAddresses, count: number): readonly string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_EXECUTORS) {
    throw new LaunchError([`${EXECUTORS_VARIABLE}=${count}: expected a whole number from 1 to ${MAX_EXECUTORS}`]);
  }
  if (count === 1) return [];
  if (topology !== "distributed") {
    throw new LaunchError([
      `${EXECUTORS_VARIABLE}=${count}: several executors run in the distributed topology only (the co-located router hosts one); start with --distributed or unset it`,
    ]);
  }
  const first = parseHostPort(listen.grpc.executor);
  if (first === undefined) return [];
  const taken = new Set([...Object.values(listen.grpc), listen.http ?? ""].map((address) => parseHostPort(address)?.port));
  const problems: string[] = [];
  const addresses: string[] = [];
  for (let k = 1; k < count; k++) {
    const port = first.port + k;
    if (port > 65535 || (taken.has(port) && port !== first.port)) {
      problems.push(
        `${EXECUTORS_VARIABLE}=${count}: executor ${k + 1} would listen on port ${port}, ${port > 65535 ? "past 65535" : "another service's"}; move the first executor with MODELROUTER_EXECUTOR_LISTEN (the others take the ports after it)`,
      );
      continue;
    }
    addresses.push(formatHostPort(first.host, port));
  }
  if (problems.length > 0) throw new LaunchError(problems);
  return addresses;
}
