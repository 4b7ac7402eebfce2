import { lookup } from "node:dns/promises";
import { readFile } from "node:fs/promises";
import { type EgressPolicy, readCredential, resolveEndpoint } from "@modelrouter/egress";
import { Code, RpcError } from "@modelrouter/rpc-kit";

/**
 * What the executor may reach and with which credential: the egress policy and the secret store. The executor
 * connects only to the addresses `resolve` returns (pinned; the host name stays the TLS server name and the Host
 * header), and sends `credential(ref)` as `Authorization: Bearer …`, never logging it.
 */
export interface EndpointAccess {
  /** The addresses to connect to for `url`; throws (a refusal, naming the rule) when the egress policy refuses it. */
  resolve(url: URL): Promise<readonly string[]>;
  /** The credential a reference names ("env:NAME", "file:/path"); undefined: none. */
  credential(ref: string): Promise<string | undefined>;
}

/**
 * The executor's access under an egress policy (`MODELROUTER_EGRESS_*`, the one the registry checks URLs with at
 * registration): each endpoint's host is resolved with `dns.lookup` (every address) and refused when the URL or
 * **any** address is refused (`resolveEndpoint`: against DNS rebinding, the connection is pinned to these
 * addresses); a refusal fails the call with FAILED_PRECONDITION naming the rule and the setting that lifts it.
 * Credentials are read from `env` ("env:NAME") or a file ("file:/path"), trimmed, on each connection, and
 * revealed only to be sent.
 */
export function egressEndpointAccess(policy: EgressPolicy, env: Readonly<Record<string, string | undefined>> = process.env): EndpointAccess {
  return {
    async resolve(url) {
      const resolved = await resolveEndpoint(policy, url.href, (name) => lookup(name, { all: true }));
      if (resolved.problem !== undefined) {
        throw new RpcError({ code: Code.FAILED_PRECONDITION, message: `the egress policy refuses endpoint ${url.origin}: ${resolved.problem}` });
      }
      return resolved.addresses;
    },
    async credential(ref) {
      if (ref === "") return undefined;
      return (await readCredential(ref, { env, readFile: (path) => readFile(path, "utf8") })).reveal();
    },
  };
}
