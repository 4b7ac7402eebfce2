/** An endpoint URL taken apart: its protocol, host name, port and base path. */
export interface EndpointUrl {
  readonly url: URL;
  readonly protocol: "grpc" | "rest";
  readonly tls: boolean;
  /** The host name without brackets, for TLS and the Host header. */
  readonly host: string;
  readonly port: number;
  /** The REST base path without a trailing slash ("" at the root). */
  readonly basePath: string;
}

const defaultPorts: Readonly<Record<string, number>> = { "grpc:": 80, "grpcs:": 443, "http:": 80, "https:": 443 };

/**
 * Parses an endpoint URL: "grpc://host:port", "grpcs://host:port", "http(s)://host[:port][/base]"; no user
 * information, query or fragment. Returns the problem, phrased to follow the field name, when it is not one.
 */
export function parseEndpointUrl(text: string): EndpointUrl | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `is not a URL: use "grpc://host:port" or "http://host:port"`;
  }
  const port = defaultPorts[url.protocol];
  if (port === undefined) return `has scheme "${url.protocol}"; use grpc://, grpcs://, http:// or https://`;
  if (url.username !== "" || url.password !== "") return "must not hold user information: give the credential as a reference (env:NAME or file:/path)";
  if (url.search !== "" || url.hash !== "") return "must not have a query or fragment";
  if (url.hostname === "") return "has no host";
  const grpc = url.protocol.startsWith("grpc");
  if (grpc && url.pathname !== "/" && url.pathname !== "") return "is a gRPC endpoint and must not have a path";
  return {
    url,
    protocol: grpc ? "grpc" : "rest",
    tls: url.protocol === "grpcs:" || url.protocol === "https:",
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port === "" ? port : Number(url.port),
    basePath: url.pathname.replace(/\/+$/, ""),
  };
}
