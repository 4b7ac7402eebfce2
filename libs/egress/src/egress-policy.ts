import { type HostPattern, parseHostPattern } from "./host-pattern.js";

/** The URL schemes an executor can call a remote model server with. */
export const KNOWN_SCHEMES = ["https", "grpcs", "http", "grpc"] as const;

/** One of {@link KNOWN_SCHEMES}. */
export type EndpointScheme = (typeof KNOWN_SCHEMES)[number];

/** The settings that make an egress policy. */
export const EGRESS_SETTINGS = {
  schemes: "MODELROUTER_EGRESS_SCHEMES",
  allow: "MODELROUTER_EGRESS_ALLOW",
  deny: "MODELROUTER_EGRESS_DENY",
  only: "MODELROUTER_EGRESS_ONLY",
} as const;

/**
 * Where remote model servers may be: the allowed schemes, and host patterns that lift the default refusals
 * (`allow`), add refusals (`deny`, which wins over `allow`), or, when `only` is set, are the only destinations
 * at all. Loopback, link-local, metadata, multicast and similar addresses and names are always refused unless
 * allowed; private ranges are allowed.
 */
export interface EgressPolicy {
  readonly schemes: readonly EndpointScheme[];
  readonly allow: readonly HostPattern[];
  readonly deny: readonly HostPattern[];
  /** Undefined: any destination that is not refused. */
  readonly only: readonly HostPattern[] | undefined;
}

/** The policy with no settings: every known scheme, the default refusals, no lists. */
export const DEFAULT_EGRESS_POLICY: EgressPolicy = Object.freeze({
  schemes: KNOWN_SCHEMES,
  allow: [],
  deny: [],
  only: undefined,
});

/** The settings' raw values, by variable name (unset: undefined). */
export type EgressSettings = Readonly<Partial<Record<(typeof EGRESS_SETTINGS)[keyof typeof EGRESS_SETTINGS], string>>>;

/** A parsed policy, or the problems of the settings, each naming its variable and the fix. */
export type EgressPolicyResult =
  | { readonly policy: EgressPolicy; readonly problems?: undefined }
  | { readonly policy?: undefined; readonly problems: readonly string[] };

/**
 * Parses the egress settings: `MODELROUTER_EGRESS_SCHEMES` (comma-separated, from https, grpcs, http, grpc;
 * default all four), and `MODELROUTER_EGRESS_ALLOW`, `MODELROUTER_EGRESS_DENY` and `MODELROUTER_EGRESS_ONLY`
 * (comma-separated host names, `*.domain` patterns, addresses and CIDR blocks).
 */
export function parseEgressPolicy(settings: EgressSettings): EgressPolicyResult {
  const problems: string[] = [];
  const schemes = parseSchemes(settings[EGRESS_SETTINGS.schemes], problems);
  const allow = parsePatterns(EGRESS_SETTINGS.allow, settings[EGRESS_SETTINGS.allow], problems) ?? [];
  const deny = parsePatterns(EGRESS_SETTINGS.deny, settings[EGRESS_SETTINGS.deny], problems) ?? [];
  const only = parsePatterns(EGRESS_SETTINGS.only, settings[EGRESS_SETTINGS.only], problems);
  if (only !== undefined && only.length === 0) {
    problems.push(
      `${EGRESS_SETTINGS.only} is set but empty: list the hosts, *.domains or CIDR blocks model servers may be at, or unset it`,
    );
  }
  if (problems.length > 0) return { problems };
  return { policy: Object.freeze({ schemes, allow, deny, only }) };
}

/** What {@link readEgressPolicy} needs of a settings reader (`EnvReader` of `@modelrouter/config` is one). */
export interface SettingsReader {
  optionalString(name: string): string | undefined;
  problem(message: string): void;
}

/**
 * Reads the egress settings through a settings reader, reporting each problem to it; the default policy when
 * some are bad (the reader throws them all when done).
 */
export function readEgressPolicy(reader: SettingsReader): EgressPolicy {
  const settings: Record<string, string> = {};
  for (const name of Object.values(EGRESS_SETTINGS)) {
    const value = reader.optionalString(name);
    if (value !== undefined) settings[name] = value;
  }
  const result = parseEgressPolicy(settings);
  result.problems?.forEach((problem) => reader.problem(problem));
  return result.policy ?? DEFAULT_EGRESS_POLICY;
}

function parseSchemes(raw: string | undefined, problems: string[]): readonly EndpointScheme[] {
  if (raw === undefined) return KNOWN_SCHEMES;
  const entries = splitList(raw).map((entry) => entry.toLowerCase());
  const unknown = entries.filter((entry) => !(KNOWN_SCHEMES as readonly string[]).includes(entry));
  if (unknown.length > 0) {
    problems.push(
      `${EGRESS_SETTINGS.schemes}=${JSON.stringify(raw)}: unknown ${unknown.map((s) => JSON.stringify(s)).join(", ")}; ` +
        `list some of ${KNOWN_SCHEMES.join(", ")} (the schemes an executor can call), separated by commas`,
    );
  } else if (entries.length === 0) {
    problems.push(`${EGRESS_SETTINGS.schemes} is set but empty: list some of ${KNOWN_SCHEMES.join(", ")}, or unset it for all`);
  }
  return [...new Set(entries)] as EndpointScheme[];
}

function parsePatterns(name: string, raw: string | undefined, problems: string[]): HostPattern[] | undefined {
  if (raw === undefined) return undefined;
  const patterns: HostPattern[] = [];
  const bad: string[] = [];
  for (const entry of splitList(raw)) {
    const pattern = parseHostPattern(entry);
    if (pattern === undefined) bad.push(entry);
    else patterns.push(pattern);
  }
  if (bad.length > 0) {
    problems.push(
      `${name}: ${bad.map((entry) => JSON.stringify(entry)).join(", ")} ${bad.length === 1 ? "is" : "are"} not a host name, ` +
        `*.domain, IP address or CIDR block; give entries such as models.internal, *.models.example.com, 10.0.0.0/8 or ` +
        `127.0.0.1/32, separated by commas`,
    );
  }
  return patterns;
}

function splitList(raw: string): string[] {
  return raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}
