import { createHash } from "node:crypto";
import { invalidField, type Violations } from "@modelrouter/errors";
import { MAX_PAGE_TOKEN_LENGTH } from "./limits.js";

/** The page size when a request gives none. */
export const DEFAULT_PAGE_SIZE = 50;
/** The largest page; larger requests are served this many. */
export const MAX_PAGE_SIZE = 500;

/**
 * The page size of a list request: 0 means {@link DEFAULT_PAGE_SIZE}, more than {@link MAX_PAGE_SIZE} means
 * the maximum.
 *
 * @throws DomainError INVALID_FIELD `page_size` when negative.
 */
export function pageSizeOf(pageSize: number): number {
  if (pageSize < 0) throw invalidField("page_size", `is ${pageSize}: give 1 to ${MAX_PAGE_SIZE}, or 0 for ${DEFAULT_PAGE_SIZE}`);
  if (pageSize === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(pageSize, MAX_PAGE_SIZE);
}

/** Records a page token longer than any the registry makes ({@link MAX_PAGE_TOKEN_LENGTH} characters). */
export function checkPageToken(v: Violations, token: string): void {
  if (token.length > MAX_PAGE_TOKEN_LENGTH) {
    v.add(
      "page_token",
      `is ${token.length} characters long, longer than any page token of this registry: pass the next_page_token ` +
        `of the previous page, or leave it empty for the first page`,
    );
  }
}

/**
 * Page tokens: opaque to clients (base64url JSON), bound to the listing they came from. A token records a
 * fingerprint of the listing's filters and the key of the last item returned; the next page is every item
 * after that key (keyset pagination, stable under concurrent writes).
 */
export interface PageTokenCodec<K> {
  encode(after: K): string;
  /**
   * The key a token resumes after, or undefined for an empty token (the first page).
   *
   * @throws DomainError INVALID_FIELD `page_token` for garbage, or a token of a listing with other filters.
   */
  decode(token: string): K | undefined;
}

/**
 * A codec for one listing. `scope` names the listing and its filters (any JSON value; only its fingerprint is
 * kept), `isKey` checks a decoded key's shape.
 */
export function pageTokenCodec<K>(scope: unknown, isKey: (value: unknown) => value is K): PageTokenCodec<K> {
  const fingerprint = createHash("sha256").update(canonicalJson(scope)).digest("base64url").slice(0, 16);
  const bad = () =>
    invalidField(
      "page_token",
      "is not a page token of this listing: pass the next_page_token of the previous page with the same filters, or leave it empty for the first page",
    );
  return {
    encode: (after) => Buffer.from(JSON.stringify({ f: fingerprint, a: after }), "utf8").toString("base64url"),
    decode(token) {
      if (token === "") return undefined;
      let parsed: unknown;
      try {
        if (!/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
        parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
      } catch {
        throw bad();
      }
      if (typeof parsed !== "object" || parsed === null) throw bad();
      const { f, a } = parsed as { f?: unknown; a?: unknown };
      if (f !== fingerprint || !isKey(a)) throw bad();
      return a;
    },
  };
}

/** JSON with object keys sorted, so that equal filters have equal fingerprints. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === "bigint") return item.toString();
    if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
    return Object.fromEntries(Object.entries(item).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  });
}
