import { type Cidr, type IpAddress, inCidr, parseCidr } from "./ip-address.js";
import { addressForms } from "./refused-ranges.js";

/** One entry of an allow, deny or only list: a host name, every name under a domain, or a block of addresses. */
export type HostPattern =
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "suffix"; readonly suffix: string }
  | { readonly kind: "cidr"; readonly cidr: Cidr };

const NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Whether `name` is a syntactically valid DNS name (lower case, no trailing dot). */
export function isHostName(name: string): boolean {
  return NAME.test(name);
}

/**
 * Parses one list entry: `models.example.com`, `*.example.com` (every name under example.com, not the domain
 * itself), `10.0.0.0/8`, `fd00::/8` or a single address. Undefined when it is none of these.
 */
export function parseHostPattern(text: string): HostPattern | undefined {
  const entry = text.trim().toLowerCase().replace(/\.$/, "");
  if (/^[0-9a-f:.]+(\/\d+)?$/.test(entry) && (entry.includes(":") || /^[\d.]+(\/\d+)?$/.test(entry))) {
    const cidr = parseCidr(entry);
    if (cidr !== undefined) return { kind: "cidr", cidr };
    if (entry.includes(":") || entry.includes("/")) return undefined;
  }
  if (entry.startsWith("*.")) {
    const suffix = entry.slice(2);
    return isHostName(suffix) ? { kind: "suffix", suffix } : undefined;
  }
  if (/^[\d.]+$/.test(entry)) return undefined;
  return isHostName(entry) ? { kind: "name", name: entry } : undefined;
}

/** Whether a normalised host name matches one of the name and domain patterns. */
export function nameMatches(patterns: readonly HostPattern[], name: string): boolean {
  return patterns.some(
    (pattern) =>
      (pattern.kind === "name" && pattern.name === name) || (pattern.kind === "suffix" && name.endsWith(`.${pattern.suffix}`)),
  );
}

/**
 * Whether an address is in one of the address blocks, in any of its forms (an IPv4-mapped IPv6 address matches
 * an IPv4 block).
 */
export function addressMatches(patterns: readonly HostPattern[], address: IpAddress): boolean {
  const forms = addressForms(address);
  return patterns.some((pattern) => pattern.kind === "cidr" && forms.some((form) => inCidr(form, pattern.cidr)));
}
