/** A parsed `host:port`. `host` is without brackets (`::1`, not `[::1]`). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/**
 * Parses `host:port` (`127.0.0.1:50051`, `localhost:50051`, `[::1]:50051`), or returns undefined when the text
 * is not one: an IPv6 host must be in brackets, the port a whole number from 0 to 65535.
 */
export function parseHostPort(text: string): HostPort | undefined {
  const match = HOST_PORT.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? match[2] ?? "", port };
}

/** Formats a host and port as `host:port`, with brackets around an IPv6 host. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** What is wrong with a `host:port` text, or undefined when it is one. */
export function hostPortProblem(text: string): string | undefined {
  return parseHostPort(text) === undefined
    ? `${JSON.stringify(text)} is not host:port: expected for example 127.0.0.1:50051, localhost:50051 or [::1]:50051`
    : undefined;
}
