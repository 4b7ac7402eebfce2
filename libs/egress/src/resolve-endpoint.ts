import { addressProblem, checkName } from "./destination.js";
import type { EgressPolicy } from "./egress-policy.js";
import { type EndpointTarget, checkEndpointUrl } from "./endpoint-url.js";
import { parseIp } from "./ip-address.js";

/**
 * Resolves a host name to all its addresses, as `dns.promises.lookup(name, { all: true })` does. Passed in, so
 * that this library does no I/O itself.
 */
export type Lookup = (hostname: string) => Promise<readonly { readonly address: string; readonly family?: number }[]>;

/** An endpoint to connect to: the normalised target and the addresses to pin, or why it is refused. */
export type ResolvedEndpoint =
  | { readonly target: EndpointTarget; readonly addresses: readonly string[]; readonly problem?: undefined }
  | { readonly target?: undefined; readonly addresses?: undefined; readonly problem: string };

/**
 * Checks an endpoint URL when connecting (against DNS rebinding): the static check of `checkEndpointUrl`, then,
 * for a host name, every address `lookup` gives: the endpoint is refused when **any** address is refused (or
 * there is none). Connect to the returned addresses only (send the host name as the TLS server name and HTTP
 * host), so that a second resolution cannot reach a refused address. A failing `lookup` rejects as it does
 * (a DNS failure is not a refusal: retry it).
 */
export async function resolveEndpoint(policy: EgressPolicy, url: string, lookup: Lookup): Promise<ResolvedEndpoint> {
  const checked = checkEndpointUrl(policy, url);
  if (checked.target === undefined) return { problem: checked.problem };
  const target = checked.target;
  if (target.address !== undefined) return { target, addresses: [target.host] };
  const name = { ...checkName(policy, target.host), name: target.host };
  if (name.problem !== undefined) return { problem: name.problem };
  const answers = await lookup(target.host);
  if (answers.length === 0) return { problem: `host ${target.host} resolves to no address` };
  const addresses: string[] = [];
  for (const { address: text } of answers) {
    const address = parseIp(text);
    if (address === undefined) return { problem: `host ${target.host} resolves to ${JSON.stringify(text)}, which is not an IP address` };
    const problem = addressProblem(policy, address, text, name);
    if (problem !== undefined) return { problem };
    if (!addresses.includes(text)) addresses.push(text);
  }
  return { target, addresses };
}
