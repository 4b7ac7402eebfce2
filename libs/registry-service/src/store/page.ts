/** One page of a keyset-paginated listing. */
export interface Page<T, K> {
  readonly items: readonly T[];
  /** The key of the last item, when more items follow; absent on the last page. */
  readonly nextAfter?: K;
}

/** Which page to read: at most `size` items whose key is greater than `after`. */
export interface PageRequest<K> {
  readonly size: number;
  readonly after?: K;
}
