import { parseAsWeb, rawTextProblem } from "./endpoint-url.js";

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: "80", https: "443" };

/**
 * Whether a REST client may follow a redirect from `from` to `to` (absolute, or relative to `from`): only to the
 * same scheme, host and port, and never to a URL with user information, backslashes or control characters.
 * A redirect elsewhere is an answer to report, not to follow.
 */
export function redirectAllowed(from: string, to: string): boolean {
  const source = originOf(from);
  if (source === undefined || rawTextProblem(to.replace(/[?#].*$/s, "")) !== undefined) return false;
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(to) ? to : resolveRelative(from, to);
  const target = absolute === undefined ? undefined : originOf(absolute);
  return target !== undefined && target === source;
}

function originOf(url: string): string | undefined {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(\/\/.*)$/s.exec(url);
  if (match === null) return undefined;
  const scheme = (match[1] ?? "").toLowerCase();
  const parsed = parseAsWeb(scheme, match[2] ?? "");
  if (parsed === undefined || parsed.username !== "" || parsed.password !== "" || parsed.hostname === "") return undefined;
  const port = parsed.port === "" ? (DEFAULT_PORTS[scheme] ?? "") : parsed.port;
  return `${scheme}://${parsed.hostname.replace(/\.+$/, "")}:${port}`;
}

function resolveRelative(from: string, to: string): string | undefined {
  if (to.startsWith("//")) return undefined;
  try {
    return new URL(to, from).href;
  } catch {
    return undefined;
  }
}
