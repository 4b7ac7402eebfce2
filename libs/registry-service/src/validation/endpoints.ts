import type { Endpoint } from "@modelrouter/contracts";
import { type EgressPolicy, type EndpointScheme, KNOWN_SCHEMES, checkEndpointUrl, credentialRefProblem } from "@modelrouter/egress";
import type { Violations } from "@modelrouter/errors";
import { ItemReport, checkCount } from "./bounds.js";

/** The most endpoints (instances) one remote model version may list. */
export const MAX_ENDPOINTS = 16;

/** What a kind of remote backend accepts of its endpoints. */
export interface EndpointRules {
  /** An endpoint of this backend, for the message of an empty list: `{ url: "grpc://triton.models.svc:8001" }`. */
  readonly example: string;
  /** The schemes this backend can call (default: every scheme an executor knows). */
  readonly schemes?: readonly EndpointScheme[];
  /** What to write instead of a scheme outside {@link schemes}: the end of the sentence that refuses it. */
  readonly schemeFix?: string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Checks a remote backend's endpoints, the same for every kind of backend: 1 to {@link MAX_ENDPOINTS}, each URL
 * of a scheme the backend can call and accepted by the egress policy (the static check of `@modelrouter/egress`;
 * the executor checks the resolved addresses again when it connects), no server listed twice, and each
 * credential a reference (`env:NAME` or `file:/path`), never a secret. Problems are recorded under
 * `path.endpoints`.
 */
export function checkEndpoints(
  v: Violations,
  path: string,
  endpoints: readonly Endpoint[],
  egress: EgressPolicy,
  rules: EndpointRules,
): void {
  const field = `${path}.endpoints`;
  if (endpoints.length === 0) v.add(field, `is empty: give the model server's URL, for example ${rules.example}`);
  const checked = checkCount(v, field, endpoints, MAX_ENDPOINTS, "endpoints", "put a load balancer in front of more servers");
  const report = new ItemReport(v, field);
  const seen = new Map<string, number>();
  checked.forEach((endpoint, i) => {
    const at = `${field}[${i}]`;
    const refused = schemeProblem(endpoint.url, rules);
    const result = refused === undefined ? checkEndpointUrl(egress, endpoint.url) : { problem: refused };
    if (result.problem !== undefined) report.add(`${at}.url`, result.problem);
    else {
      const url = result.target.url;
      const first = seen.get(url);
      if (first !== undefined) report.add(`${at}.url`, `is endpoints[${first}] again (${url}): list each server once`);
      else seen.set(url, i);
    }
    if (endpoint.credential !== "") {
      const credentialProblem = credentialRefProblem(endpoint.credential);
      if (credentialProblem !== undefined) report.add(`${at}.credential`, credentialProblem);
    }
  });
  report.done();
}

/** Why the URL's scheme, one an executor knows, is not one this backend calls; undefined otherwise. */
function schemeProblem(url: string, rules: EndpointRules): string | undefined {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || rules.schemes === undefined || !(KNOWN_SCHEMES as readonly string[]).includes(scheme)) return undefined;
  if ((rules.schemes as readonly string[]).includes(scheme)) return undefined;
  return `has scheme ${scheme}, which this backend does not call: ${rules.schemeFix ?? `use ${rules.schemes.join(" or ")}`}`;
}
