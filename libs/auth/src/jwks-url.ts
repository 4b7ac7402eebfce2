import { lookup as dnsLookup } from "node:dns/promises";
import * as http from "node:http";
import * as https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { checkEndpointUrl, resolveEndpoint, type EgressPolicy, type EndpointTarget, type Lookup } from "@modelrouter/egress";

/** The most bytes of a JWKS document fetched from a URL. */
export const MAX_JWKS_BYTES = 1 << 20;

/** Fetches a JWKS document's text; rejects when it cannot (the URL refused, no answer, not 200, too large). */
export type JwksFetch = () => Promise<string>;

/** Options of {@link egressJwksFetch}. */
export interface JwksFetchOptions {
  /** The JWKS URL (http or https). */
  readonly url: string;
  /** Where the process may connect: the URL's host and every address it resolves to must be allowed. */
  readonly egress: EgressPolicy;
  /** Resolves the host (default: the system resolver); the connection goes to the addresses it gave. */
  readonly lookup?: Lookup;
  /** How long one fetch may take, in milliseconds; default 5 s. */
  readonly timeoutMs?: number;
}

/**
 * Checks a JWKS URL against the egress policy (the static check, as at startup): the normalised target, or the
 * problem, naming the setting to change.
 */
export function checkJwksUrl(egress: EgressPolicy, url: string): { readonly target: EndpointTarget } | { readonly problem: string } {
  const checked = checkEndpointUrl(egress, url);
  if (checked.target === undefined) return { problem: checked.problem };
  if (checked.target.scheme !== "http" && checked.target.scheme !== "https") {
    return { problem: `has scheme ${checked.target.scheme}: a JSON Web Key Set is fetched over https (or http)` };
  }
  return { target: checked.target };
}

/**
 * A fetch of a JWKS URL under the egress policy: every fetch resolves the host, refuses it when any address is
 * refused (against DNS rebinding), and connects to the addresses it checked (the host name stays the Host header
 * and TLS server name). Redirects are not followed; only a 200 answer of at most {@link MAX_JWKS_BYTES} is read.
 *
 * @throws Error at creation when the URL itself is refused (its scheme, host or port).
 */
export function egressJwksFetch(options: JwksFetchOptions): JwksFetch {
  const checked = checkJwksUrl(options.egress, options.url);
  if ("problem" in checked) throw new Error(`the JWKS URL ${checked.problem}`);
  const lookup: Lookup = options.lookup ?? ((host) => dnsLookup(host, { all: true }));
  const timeoutMs = options.timeoutMs ?? 5_000;
  return async () => {
    const resolved = await resolveEndpoint(options.egress, options.url, lookup);
    if (resolved.problem !== undefined) throw new Error(`the JWKS URL is refused: ${resolved.problem}`);
    return get(resolved.target, resolved.addresses[0] ?? resolved.target.host, timeoutMs);
  };
}

function get(target: EndpointTarget, address: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = (target.scheme === "https" ? https : http).request({
      method: "GET",
      host: target.host,
      port: target.port,
      path: target.path,
      headers: { accept: "application/jwk-set+json, application/json" },
      servername: isIP(target.host) === 0 ? target.host : undefined,
      lookup: pinnedLookup(address),
      timeout: timeoutMs,
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", (error) => reject(new Error(`the JWKS cannot be fetched: ${error.message}`)));
    request.on("response", (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`the JWKS cannot be fetched: the server answered ${response.statusCode ?? 0}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_JWKS_BYTES) {
          request.destroy(new Error(`the answer is larger than ${MAX_JWKS_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      response.on("error", (error) => reject(new Error(`the JWKS cannot be fetched: ${error.message}`)));
    });
    request.end();
  });
}

/** A lookup that answers every name with `address`: the connection goes where the egress check looked. */
function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address) === 6 ? 6 : 4;
  return ((_host: string, options: { all?: boolean }, callback: (error: null, address: unknown, family?: number) => void) => {
    if (options.all === true) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}
