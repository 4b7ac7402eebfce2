import type { RequestContext } from "@modelrouter/contracts";

/** What a weighted route's `sticky_key` names: the request's user, its tenant, or one metadata value. */
export type StickyKey =
  | { readonly kind: "user" }
  | { readonly kind: "tenant" }
  | { readonly kind: "metadata"; readonly key: string };

/** The longest metadata key a sticky key may name (the request bounds' metadata key length). */
const MAX_METADATA_KEY = 63;

/**
 * Parses a route's `sticky_key`: "user", "tenant" or "metadata.<key>". Returns the key, or a description of
 * the problem that names the fix.
 */
export function parseStickyKey(text: string): StickyKey | { readonly problem: string } {
  if (text === "user") return { kind: "user" };
  if (text === "tenant") return { kind: "tenant" };
  if (text.startsWith("metadata.")) {
    const key = text.slice("metadata.".length);
    if (key.length > 0 && key.length <= MAX_METADATA_KEY) return { kind: "metadata", key };
    return { problem: `"${text}" names no metadata key: write "metadata.<key>" with a key of 1 to ${MAX_METADATA_KEY} characters` };
  }
  return {
    problem:
      `"${text}" names nothing a request carries: use "user" (the request's user_id), "tenant", or ` +
      '"metadata.<key>" (a request metadata value), or leave it empty to split every request at random',
  };
}

/** The sticky key as written, for explanations: user, tenant or metadata.<key>. */
export function stickyKeyName(key: StickyKey): string {
  return key.kind === "metadata" ? `metadata.${key.key}` : key.kind;
}

/**
 * The request field a sticky key reads, as an explanation's `split_key` reports it: `request.user_id`,
 * `request.tenant` or `metadata.<key>`.
 */
export function splitKeyName(key: StickyKey): string {
  return key.kind === "user" ? "request.user_id" : key.kind === "tenant" ? "request.tenant" : `metadata.${key.key}`;
}

/** The request's value of the sticky key; undefined when the request does not carry it (or it is empty). */
export function stickyKeyValue(key: StickyKey, context: RequestContext | undefined): string | undefined {
  let value: string | undefined;
  switch (key.kind) {
    case "user":
      value = context?.userId;
      break;
    case "tenant":
      value = context?.tenant;
      break;
    case "metadata":
      value = context?.metadata?.[key.key];
      break;
  }
  return value === undefined || value === "" ? undefined : value;
}
