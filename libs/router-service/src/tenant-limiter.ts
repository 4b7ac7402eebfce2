/** One tenant's limits: a token bucket (a sustained rate and a burst) and a quota of requests in flight. */
export interface TenantLimit {
  /** Requests admitted per second, sustained (tokens added to the bucket per second). */
  readonly ratePerSecond: number;
  /** Requests admitted at once after an idle period (the bucket's size), at least 1. */
  readonly burst: number;
  /** Requests of the tenant in flight at once. */
  readonly concurrency: number;
}

/** Limits of every tenant: a default and per-tenant overrides (the tenant "" is a request of no tenant). */
export interface TenantLimitSettings {
  readonly defaults: TenantLimit;
  readonly overrides: ReadonlyMap<string, TenantLimit>;
  /**
   * Tenants whose state is kept at most (default 10,000). Idle tenants (nothing in flight, a full bucket) are
   * forgotten at no cost, since a fresh state is the same; beyond this bound the least recently seen tenants with
   * nothing in flight are forgotten even with a bucket not yet full.
   */
  readonly maxTenants?: number;
}

/** Why a tenant's request was refused, and when a retry would be admitted. */
export type TenantRefusal =
  | { readonly kind: "rate"; readonly tenant: string; readonly limit: TenantLimit; readonly retryAfterMs: number }
  | { readonly kind: "concurrency"; readonly tenant: string; readonly limit: TenantLimit; readonly inFlight: number };

/** An admitted request: end it once when it ends (a second end does nothing). */
export interface TenantSlot {
  /** The request ended: its slot is free again. */
  end(): void;
  /** The request never ran (a later check refused it): its slot is free and its token given back. */
  cancel(): void;
}

/** The rate limits and concurrency quotas of every tenant, on the clock it is given. */
export interface TenantLimiter {
  /** Admits a request of `tenant` at `now` (epoch ms) or says why not. */
  enter(tenant: string, now: number): TenantSlot | TenantRefusal;
  /** The limits that apply to `tenant`. */
  limitOf(tenant: string): TenantLimit;
  /** Tenants whose state is kept (for tests and metrics). */
  readonly size: number;
}

interface TenantState {
  readonly limit: TenantLimit;
  tokens: number;
  /** When `tokens` was last brought up to date (epoch ms). */
  at: number;
  inFlight: number;
}

/** The default bound on the tenants whose state is kept. */
export const DEFAULT_MAX_TENANTS = 10_000;

/** True when a slot was admitted, false when it is a refusal. */
export function isTenantSlot(entry: TenantSlot | TenantRefusal): entry is TenantSlot {
  return !("kind" in entry);
}

/**
 * Creates the per-tenant limiter: a token bucket and an in-flight counter per tenant. Pure: the time is passed
 * in, nothing runs on a timer; the state kept is bounded ({@link TenantLimitSettings.maxTenants}).
 */
export function createTenantLimiter(settings: TenantLimitSettings): TenantLimiter {
  const maxTenants = settings.maxTenants ?? DEFAULT_MAX_TENANTS;
  // In order of last use (a Map keeps insertion order; a tenant seen again is moved to the end).
  const tenants = new Map<string, TenantState>();
  const limitOf = (tenant: string): TenantLimit => settings.overrides.get(tenant) ?? settings.defaults;

  const refill = (state: TenantState, now: number): void => {
    if (now > state.at) {
      state.tokens = Math.min(state.limit.burst, state.tokens + ((now - state.at) * state.limit.ratePerSecond) / 1000);
      state.at = now;
    }
  };
  const isIdle = (state: TenantState, now: number): boolean => {
    if (state.inFlight > 0) return false;
    refill(state, now);
    return state.tokens >= state.limit.burst;
  };

  /**
   * Forgets the least recently seen tenants: up to two idle ones (lossless), and as many with nothing in flight
   * as it takes to get back within the bound. `current` (the most recently seen) is kept.
   */
  function evict(current: string, now: number): void {
    let swept = 0;
    for (const [tenant, state] of tenants) {
      if (tenant === current) return;
      if (tenants.size > maxTenants) {
        if (state.inFlight === 0) tenants.delete(tenant);
      } else if (swept < 2 && isIdle(state, now)) {
        tenants.delete(tenant);
        swept += 1;
      } else {
        return;
      }
    }
  }

  return {
    limitOf,
    get size() {
      return tenants.size;
    },
    enter(tenant, now) {
      let state = tenants.get(tenant);
      if (state === undefined) {
        const limit = limitOf(tenant);
        state = { limit, tokens: limit.burst, at: now, inFlight: 0 };
      } else {
        tenants.delete(tenant);
      }
      tenants.set(tenant, state);
      evict(tenant, now);
      if (state.inFlight >= state.limit.concurrency) {
        return { kind: "concurrency", tenant, limit: state.limit, inFlight: state.inFlight };
      }
      refill(state, now);
      if (state.tokens < 1) {
        const retryAfterMs = Math.max(1, Math.ceil(((1 - state.tokens) * 1000) / state.limit.ratePerSecond));
        return { kind: "rate", tenant, limit: state.limit, retryAfterMs };
      }
      state.tokens -= 1;
      state.inFlight += 1;
      const admitted = state;
      let ended = false;
      const release = (giveBack: boolean): void => {
        if (ended) return;
        ended = true;
        admitted.inFlight -= 1;
        if (giveBack) admitted.tokens = Math.min(admitted.limit.burst, admitted.tokens + 1);
      };
      return { end: () => release(false), cancel: () => release(true) };
    },
  };
}
