import { create, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { Page } from "./store/page.js";

/**
 * The most bytes of resources one unary response carries, protobuf-encoded: 1 MiB, a quarter of what any
 * gRPC client accepts by default. A list page stops there (with a page token for the rest); removed models
 * are returned by key beyond it.
 */
export const MAX_RESPONSE_BYTES = 1 << 20;

/** The bytes a message takes as an element of a repeated field: tag, length, itself. */
export function elementBytes<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): number {
  const size = toBinary(schema, message).length;
  let lengthBytes = 1;
  for (let rest = size >>> 7; rest > 0; rest >>>= 7) lengthBytes++;
  return 1 + lengthBytes + size;
}

/**
 * A page cut to the items that fit in `maxBytes` (at least one, so that paging always advances): when items
 * are dropped, `nextAfter` is the key of the last one kept, so the next page starts with the first dropped.
 */
export function pageWithin<Desc extends DescMessage, K>(
  schema: Desc,
  page: Page<MessageShape<Desc>, K>,
  keyOf: (item: MessageShape<Desc>) => K,
  maxBytes = MAX_RESPONSE_BYTES,
): { items: MessageShape<Desc>[]; nextAfter: K | undefined } {
  const items = page.items.slice(0, countWithin(schema, page.items, maxBytes));
  const last = items[items.length - 1];
  const cut = items.length < page.items.length && last !== undefined;
  return { items, nextAfter: cut ? keyOf(last) : page.nextAfter };
}

/**
 * How many of `items`, from the first, fit in `maxBytes` (at least one, so that a page always advances).
 */
export function countWithin<Desc extends DescMessage>(
  schema: Desc,
  items: readonly MessageShape<Desc>[],
  maxBytes = MAX_RESPONSE_BYTES,
): number {
  let bytes = 0;
  for (const [index, item] of items.entries()) {
    bytes += elementBytes(schema, item);
    if (bytes > maxBytes) return Math.max(1, index);
  }
  return items.length;
}

/**
 * The resources themselves when they fit in `maxBytes` together, else each reduced to the fields `keep`
 * copies (its key and revision), so that the response fits whatever was stored.
 */
export function wholeOrKeys<Desc extends DescMessage>(
  schema: Desc,
  items: readonly MessageShape<Desc>[],
  keep: (item: MessageShape<Desc>) => MessageInitShape<Desc>,
  maxBytes = MAX_RESPONSE_BYTES,
): MessageShape<Desc>[] {
  const bytes = items.reduce((sum, item) => sum + elementBytes(schema, item), 0);
  return bytes <= maxBytes ? [...items] : items.map((item) => create(schema, keep(item)));
}
