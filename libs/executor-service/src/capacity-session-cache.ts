/** Options of {@link SessionCache}. */
export interface SessionCacheOptions<V> {
  /** The most entries kept (at least 1); the least recently used goes first. */
  readonly capacity: number;
  /** An entry unused for this many milliseconds is dropped by {@link SessionCache.evictIdle}; `Infinity`: never. */
  readonly idleMs: number;
  /** Called with each value dropped (pushed out, idle or removed), once it has loaded. */
  readonly onEvict: (value: V) => void;
  /** The clock, in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: Promise<V>;
  usedAt: number;
}

/**
 * The sessions a worker keeps: a bounded map that forgets its least recently used entry when a new one needs
 * room, entries idle for too long, and entries removed by name. Values are promises so that two requests for
 * a model being loaded share one load; a load that fails is forgotten, so the next request tries again.
 * Callers must not be using a value when it is dropped (a worker runs one model run at a time, and evicts
 * between runs, so it never is).
 */
export class SessionCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #options: SessionCacheOptions<V>;
  readonly #now: () => number;

  constructor(options: SessionCacheOptions<V>) {
    this.#options = { ...options, capacity: Math.max(1, options.capacity) };
    this.#now = options.now ?? Date.now;
  }

  /** The value of `key`, made by `load` when absent; marks `key` as the most recently used. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      this.#entries.delete(key);
      existing.usedAt = this.#now();
      this.#entries.set(key, existing);
      return existing.value;
    }
    while (this.#entries.size >= this.#options.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#drop(oldest.value);
    }
    const loading = load();
    this.#entries.set(key, { value: loading, usedAt: this.#now() });
    loading.catch(() => {
      if (this.#entries.get(key)?.value === loading) this.#entries.delete(key);
    });
    return loading;
  }

  /** Drops every entry whose key `matches`; returns how many. */
  removeWhere(matches: (key: string) => boolean): number {
    const keys = [...this.#entries.keys()].filter(matches);
    for (const key of keys) this.#drop(key);
    return keys.length;
  }

  /** Drops the entries unused for longer than `idleMs`; returns how many. */
  evictIdle(): number {
    const limit = this.#now() - this.#options.idleMs;
    return this.removeWhere((key) => (this.#entries.get(key)?.usedAt ?? Number.POSITIVE_INFINITY) < limit);
  }

  /** The keys held, least recently used first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    entry?.value.then(this.#options.onEvict, () => undefined);
  }
}
