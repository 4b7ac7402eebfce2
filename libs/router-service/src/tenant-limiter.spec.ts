import { describe, expect, it } from "@jest/globals";
import { createTenantLimiter, isTenantSlot, type TenantLimit, type TenantSlot } from "./tenant-limiter.js";

const defaults: TenantLimit = { ratePerSecond: 10, burst: 5, concurrency: 3 };
const acme: TenantLimit = { ratePerSecond: 100, burst: 50, concurrency: 20 };
const limiterOf = (maxTenants?: number) =>
  createTenantLimiter({ defaults, overrides: new Map([["acme", acme]]), ...(maxTenants === undefined ? {} : { maxTenants }) });

/** Enters `n` requests of `tenant` at `at`, ending each at once; returns the refusals. */
function burst(limiter: ReturnType<typeof limiterOf>, tenant: string, n: number, at: number) {
  const refusals = [];
  for (let i = 0; i < n; i++) {
    const entry = limiter.enter(tenant, at);
    if (isTenantSlot(entry)) entry.end();
    else refusals.push(entry);
  }
  return refusals;
}

describe("per-tenant token buckets and concurrency quotas", () => {
  it("admits a burst of `burst` requests at once, then refuses with the time the next token comes", () => {
    const limiter = limiterOf();
    expect(burst(limiter, "globex", 5, 0)).toEqual([]);
    expect(limiter.enter("globex", 0)).toEqual({ kind: "rate", tenant: "globex", limit: defaults, retryAfterMs: 100 });
    expect(limiter.enter("globex", 60)).toMatchObject({ kind: "rate", retryAfterMs: 40 });
  });

  it("refills at the rate: one request per 1/rate seconds, up to the burst", () => {
    const limiter = limiterOf();
    burst(limiter, "globex", 5, 0);
    expect(burst(limiter, "globex", 1, 100)).toEqual([]);
    expect(burst(limiter, "globex", 1, 100)).toHaveLength(1);
    expect(burst(limiter, "globex", 6, 10_000)).toHaveLength(1);
  });

  it("keeps each tenant's bucket apart, with its own override", () => {
    const limiter = limiterOf();
    expect(burst(limiter, "globex", 6, 0)).toHaveLength(1);
    expect(burst(limiter, "acme", 50, 0)).toEqual([]);
    expect(burst(limiter, "", 5, 0)).toEqual([]);
    expect(limiter.limitOf("acme")).toBe(acme);
    expect(limiter.limitOf("initech")).toBe(defaults);
  });

  it("refuses a tenant with `concurrency` requests in flight until one ends, whatever its tokens", () => {
    const limiter = limiterOf();
    const slots = [0, 1, 2].map(() => limiter.enter("globex", 0) as TenantSlot);
    expect(limiter.enter("globex", 0)).toEqual({ kind: "concurrency", tenant: "globex", limit: defaults, inFlight: 3 });
    slots[0]!.end();
    slots[0]!.end();
    expect(isTenantSlot(limiter.enter("globex", 0))).toBe(true);
    expect(limiter.enter("globex", 0)).toMatchObject({ kind: "concurrency", inFlight: 3 });
  });

  it("gives a cancelled request's token back (it never ran)", () => {
    const limiter = limiterOf();
    for (let i = 0; i < 5; i++) (limiter.enter("globex", 0) as TenantSlot).cancel();
    expect(burst(limiter, "globex", 5, 0)).toEqual([]);
  });

  it("forgets idle tenants (nothing in flight, a full bucket) as others arrive: memory follows the active tenants", () => {
    const limiter = limiterOf();
    for (let i = 0; i < 1000; i++) burst(limiter, `tenant-${i}`, 1, i * 1000);
    expect(limiter.size).toBeLessThanOrEqual(2);
  });

  it("keeps at most maxTenants, forgetting the least recently seen without requests in flight", () => {
    const limiter = limiterOf(100);
    const held = limiter.enter("busy", 0) as TenantSlot;
    for (let i = 0; i < 1000; i++) burst(limiter, `tenant-${i}`, 1, 0);
    expect(limiter.size).toBeLessThanOrEqual(100);
    // The tenant with a request in flight was kept: its quota still counts it.
    for (let i = 0; i < 2; i++) limiter.enter("busy", 0);
    expect(limiter.enter("busy", 0)).toMatchObject({ kind: "concurrency", inFlight: 3 });
    held.end();
  });
});
