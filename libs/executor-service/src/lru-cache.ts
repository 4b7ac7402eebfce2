/** Options of {@link LruCache}. */
export interface LruCacheOptions<V> {
  /** The most entries kept (at least 1). */
  readonly capacity: number;
  /** Called with each value pushed out by a newer one. */
  readonly onEvict: (value: V) => void;
}

/**
 * A bounded map that forgets its least recently used entry when a new one needs room. Values are promises so
 * that two requests for a model being loaded share one load; a load that fails is forgotten, so the next
 * request tries again. An evicted value is handed to `onEvict` once loaded: callers must not be using it then
 * (a worker runs one task at a time, so it never is).
 */
export class LruCache<V> {
  readonly #entries = new Map<string, Promise<V>>();
  readonly #options: LruCacheOptions<V>;

  constructor(options: LruCacheOptions<V>) {
    this.#options = { ...options, capacity: Math.max(1, options.capacity) };
  }

  /** The value of `key`, made by `load` when absent; marks `key` as the most recently used. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, existing);
      return existing;
    }
    this.#makeRoom();
    const loading = load();
    this.#entries.set(key, loading);
    loading.catch(() => {
      if (this.#entries.get(key) === loading) this.#entries.delete(key);
    });
    return loading;
  }

  /** The keys held, least recently used first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  #makeRoom(): void {
    while (this.#entries.size >= this.#options.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) return;
      const value = this.#entries.get(oldest.value);
      this.#entries.delete(oldest.value);
      value?.then(this.#options.onEvict, () => undefined);
    }
  }
}
