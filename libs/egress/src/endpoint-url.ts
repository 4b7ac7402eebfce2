import { addressProblem, checkName } from "./destination.js";
import { EGRESS_SETTINGS, type EgressPolicy, type EndpointScheme, KNOWN_SCHEMES } from "./egress-policy.js";
import { isHostName } from "./host-pattern.js";
import { type IpAddress, parseIp } from "./ip-address.js";

/** The longest endpoint URL accepted, in characters. */
export const MAX_ENDPOINT_URL_LENGTH = 2048;

/** An endpoint URL that passed the static check, in normal form: connect to this, not to the raw text. */
export interface EndpointTarget {
  readonly scheme: EndpointScheme;
  /** The host: a lower-case ASCII name without trailing dot, or an IP address without brackets. */
  readonly host: string;
  /** The host's address when the URL gives one; undefined for a name (resolve it with `resolveEndpoint`). */
  readonly address: IpAddress | undefined;
  readonly port: number;
  /** The base path for REST (`/` when none, always without query or fragment). */
  readonly path: string;
  /** The whole URL in normal form: `scheme://host:port/path`. */
  readonly url: string;
}

/** The result of {@link checkEndpointUrl}: the normalised target, or why the URL is refused. */
export type EndpointUrlCheck =
  | { readonly target: EndpointTarget; readonly problem?: undefined }
  | { readonly target?: undefined; readonly problem: string };

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;
const DOTTED_QUAD = /^\d{1,3}(\.\d{1,3}){3}$/;
const EXAMPLES = "for example https://models.example.com or grpc://triton.models.svc:8001";

/**
 * Checks an endpoint URL when a model is registered: a scheme the policy allows; no user information, query,
 * fragment, backslash, space or control character; a host (IDNA, percent-encoding and trailing dots
 * normalised; every numeric IPv4 form — `2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1` — read as the address it
 * is); a port from 1 to 65535 (required for gRPC); no path for gRPC; and a host name or literal address the
 * policy does not refuse. A name's addresses are checked when connecting ({@link resolveEndpoint}).
 */
export function checkEndpointUrl(policy: EgressPolicy, raw: string): EndpointUrlCheck {
  const refuse = (problem: string): EndpointUrlCheck => ({ problem });
  if (raw === "") return refuse(`is required: the model server's URL, ${EXAMPLES}`);
  if (raw.length > MAX_ENDPOINT_URL_LENGTH) {
    return refuse(`is ${raw.length} characters long: keep an endpoint URL to at most ${MAX_ENDPOINT_URL_LENGTH}`);
  }
  const textProblem = rawTextProblem(raw);
  if (textProblem !== undefined) return refuse(textProblem);
  const [, schemeText = "", rest = ""] = SCHEME.exec(raw) ?? [];
  const scheme = schemeText.toLowerCase();
  const problemOfScheme = schemeProblem(policy, scheme);
  if (problemOfScheme !== undefined) return refuse(problemOfScheme);
  if (!rest.startsWith("//")) return refuse(`has no host: write ${scheme}://host:port`);
  const authority = rest.slice(2).split("/", 1)[0] ?? "";
  if (authority === "" || authority.startsWith(":")) return refuse(`has an empty host: write ${scheme}://host:port`);
  const grpc = scheme === "grpc" || scheme === "grpcs";
  const portText = /:(\d*)$/.exec(authority.replace(/^\[[^\]]*\]/, ""))?.[1] ?? "";
  const problemOfPort = portProblem(scheme, portText);
  if (problemOfPort !== undefined) return refuse(problemOfPort);
  const parsed = parseAsWeb(scheme, rest);
  if (parsed === undefined) return refuse(`is not a valid URL: its host or port is malformed; write ${scheme}://host:port`);
  if (grpc && parsed.pathname !== "/" && parsed.pathname !== "") {
    return refuse(`has path ${JSON.stringify(parsed.pathname)}: a gRPC endpoint is only ${scheme}://host:port`);
  }
  const hostCheck = checkHost(policy, parsed.hostname);
  if ("problem" in hostCheck) return refuse(hostCheck.problem);
  const port = portText === "" ? (DEFAULT_PORTS[scheme] ?? 0) : Number(portText);
  const path = parsed.pathname === "" ? "/" : parsed.pathname;
  const hostInUrl = hostCheck.address?.version === 6 ? `[${hostCheck.host}]` : hostCheck.host;
  const url = `${scheme}://${hostInUrl}:${port}${path === "/" ? "" : path}`;
  return { target: { scheme: scheme as EndpointScheme, host: hostCheck.host, address: hostCheck.address, port, path, url } };
}

function schemeProblem(policy: EgressPolicy, scheme: string): string | undefined {
  if (scheme === "") return `has no scheme: write scheme://host:port, ${EXAMPLES}`;
  if (!(KNOWN_SCHEMES as readonly string[]).includes(scheme)) {
    return `has scheme ${JSON.stringify(scheme)}, which an executor cannot call: use ${KNOWN_SCHEMES.join(", ")}`;
  }
  if (!(policy.schemes as readonly string[]).includes(scheme)) {
    return `has scheme ${scheme}, refused by ${EGRESS_SETTINGS.schemes}: use ${policy.schemes.join(", ")}, or add ${scheme} to that setting`;
  }
  return undefined;
}

/** Why the port written in the URL (empty: none) is refused for the scheme, or undefined. */
function portProblem(scheme: string, portText: string): string | undefined {
  if (portText !== "" && !(Number(portText) >= 1 && Number(portText) <= 65535)) return `has port ${portText}: give a port from 1 to 65535`;
  if (portText === "" && (scheme === "grpc" || scheme === "grpcs")) {
    return `has no port: gRPC has no default port, so write ${scheme}://host:port (Triton listens on 8001)`;
  }
  return undefined;
}

/** The problem sentence of {@link checkEndpointUrl}, or undefined when the URL is accepted. */
export function endpointUrlProblem(policy: EgressPolicy, raw: string): string | undefined {
  return checkEndpointUrl(policy, raw).problem;
}

/**
 * Parses `//authority/path` with the WHATWG URL parser of the web scheme that matches (gRPC as HTTP), so that
 * hosts are normalised as for a special scheme. Undefined when it does not parse.
 */
export function parseAsWeb(scheme: string, rest: string): URL | undefined {
  const web = scheme === "https" || scheme === "grpcs" ? "https" : "http";
  try {
    return new URL(`${web}:${rest}`);
  } catch {
    return undefined;
  }
}

/** Why a URL's text is refused before it is parsed (parsers disagree on these), or undefined. */
export function rawTextProblem(raw: string): string | undefined {
  if (/[\s\u0000-\u001f\u007f-\u009f]/u.test(raw)) return "contains a space or control character: remove it";
  if (raw.includes("\\")) return "contains a backslash: write the URL with forward slashes only";
  if (raw.includes("@")) return "contains user information (an @): give credentials in the endpoint's credential field instead";
  if (raw.includes("?")) return "contains a query (a ?): an endpoint URL has no query";
  if (raw.includes("#")) return "contains a fragment (a #): an endpoint URL has no fragment";
  return undefined;
}

type HostCheck = { readonly host: string; readonly address: IpAddress | undefined } | { readonly problem: string };

function checkHost(policy: EgressPolicy, hostname: string): HostCheck {
  if (hostname.startsWith("[") || DOTTED_QUAD.test(hostname)) {
    const address = parseIp(hostname);
    if (address === undefined) return { problem: `has host ${hostname}, which is not a valid IP address` };
    const text = hostname.replace(/^\[|\]$/g, "");
    const problem = addressProblem(policy, address, text);
    return problem === undefined ? { host: text, address } : { problem };
  }
  const name = hostname.replace(/\.+$/, "");
  if (name === "") return { problem: "has an empty host: give the model server's host name or address" };
  if (!isHostName(name)) {
    return { problem: `has host ${JSON.stringify(name)}, which is not a valid host name: use letters, digits, hyphens and dots` };
  }
  const problem = checkName(policy, name).problem;
  return problem === undefined ? { host: name, address: undefined } : { problem };
}
