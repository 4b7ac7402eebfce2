import { formatHostPort, parseHostPort } from "@modelrouter/syntax";

/**
 * The address to call a server at, given the address it listens on: a wildcard listen address (`0.0.0.0`, `[::]`)
 * is called on loopback (`127.0.0.1`, `[::1]`); any other is called as it is.
 */
export function callAddress(listen: string): string {
  const parsed = parseHostPort(listen);
  if (parsed === undefined) return listen;
  if (parsed.host === "0.0.0.0") return formatHostPort("127.0.0.1", parsed.port);
  if (parsed.host.includes(":") && /^[0:]+$/.test(parsed.host)) return formatHostPort("::1", parsed.port);
  return formatHostPort(parsed.host, parsed.port);
}
