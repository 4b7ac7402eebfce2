import { describe, expect, it } from "@jest/globals";
import { createAdaptiveConcurrency, DEFAULT_ADAPTIVE_CONCURRENCY, isAdmitted, tierShare, type AdaptiveConcurrencySettings, type AdmissionSlot } from "./adaptive-concurrency.js";

const settings: AdaptiveConcurrencySettings = { ...DEFAULT_ADAPTIVE_CONCURRENCY, minLimit: 4, maxLimit: 200, initialLimit: 20, intervalMs: 100 };

/**
 * Simulates `intervals` intervals of 100 ms: each admits up to `offered` requests of tier rank 0 at its start and
 * ends the admitted ones at its end with `latency(inFlight)` ms — a server whose latency grows with its load.
 */
function simulate(limiter: ReturnType<typeof createAdaptiveConcurrency>, from: number, intervals: number, offered: number, latency: (inFlight: number) => number) {
  let t = from;
  let shed = 0;
  for (let i = 0; i < intervals; i++) {
    const slots: AdmissionSlot[] = [];
    for (let r = 0; r < offered; r++) {
      const entry = limiter.enter(0, 1, t);
      if (isAdmitted(entry)) slots.push(entry);
      else shed += 1;
    }
    const ms = latency(slots.length);
    t += 100;
    for (const slot of slots) slot.end({ kind: "latency", ms }, t);
  }
  return { t, shed };
}

describe("the router's adaptive concurrency limit", () => {
  it("admits up to the limit at once and refuses the next request at once, with a retry hint", () => {
    const limiter = createAdaptiveConcurrency(settings, 0);
    for (let i = 0; i < 20; i++) expect(isAdmitted(limiter.enter(0, 1, 0))).toBe(true);
    expect(limiter.enter(0, 1, 0)).toEqual({ inFlight: 20, tierLimit: 20, limit: 20, retryAfterMs: 100 });
  });

  it("grows while latency stays near the minimum and the limit is what holds requests back", () => {
    const limiter = createAdaptiveConcurrency(settings, 0);
    simulate(limiter, 0, 50, 500, () => 5);
    expect(limiter.limit).toBe(200);
  });

  it("does not grow when the load never reaches it (nothing to learn about more concurrency)", () => {
    const limiter = createAdaptiveConcurrency(settings, 0);
    simulate(limiter, 0, 50, 5, () => 5);
    expect(limiter.limit).toBe(20);
  });

  it("settles where latency is about `tolerance` × the minimum when latency grows with load, and sheds the excess", () => {
    const limiter = createAdaptiveConcurrency(settings, 0);
    // 10 requests in flight take 5 ms; each one more adds 0.5 ms (a server with capacity for ~10 at once).
    const latency = (n: number) => 5 + Math.max(0, n - 10) * 0.5;
    simulate(limiter, 0, 20, 10, latency);
    const { shed } = simulate(limiter, 2000, 200, 400, latency);
    expect(shed).toBeGreaterThan(0);
    // Latency at the limit stays within (about) twice the minimum of 5 ms.
    expect(latency(limiter.limit)).toBeLessThanOrEqual(2 * 5 * 1.25);
    expect(limiter.limit).toBeGreaterThanOrEqual(settings.minLimit);
    expect(limiter.minLatencyMs).toBe(5);
  });

  it("shrinks (at most by half per interval, so within two intervals by at most three quarters) when latency rises far above the minimum, never below the minimum limit", () => {
    const limiter = createAdaptiveConcurrency(settings, 0);
    simulate(limiter, 0, 5, 20, () => 5);
    const before = limiter.limit;
    simulate(limiter, 500, 2, 20, () => 500);
    expect(limiter.limit).toBeGreaterThanOrEqual(Math.floor(before / 4));
    expect(limiter.limit).toBeLessThan(before);
    simulate(limiter, 600, 50, 20, () => 500);
    expect(limiter.limit).toBe(settings.minLimit);
  });

  it("backs off when something downstream refused for overload", () => {
    const limiter = createAdaptiveConcurrency(settings, 0);
    const slot = limiter.enter(0, 1, 0) as AdmissionSlot;
    slot.end({ kind: "overloaded" }, 150);
    expect(limiter.limit).toBe(18);
  });

  it("sheds the lower tiers first while a higher one has requests in flight: the lowest may use `lowestTierShare` of the limit, the highest all of it", () => {
    const limiter = createAdaptiveConcurrency(settings, 0);
    const admitted = (rank: number) => {
      let n = 0;
      while (isAdmitted(limiter.enter(rank, 3, 0))) n += 1;
      return n;
    };
    expect(isAdmitted(limiter.enter(0, 3, 0))).toBe(true);
    expect(admitted(2)).toBe(9);
    expect(admitted(1)).toBe(5);
    expect(admitted(0)).toBe(5);
    expect(limiter.enter(2, 3, 0)).toMatchObject({ inFlight: 20, tierLimit: 10, limit: 20 });
    expect([0, 1, 2].map((rank) => tierShare(rank, 3, 0.5))).toEqual([1, 0.75, 0.5]);
  });

  it("lends a lower tier the capacity no higher tier uses: the whole limit while no higher request is in flight", () => {
    const limiter = createAdaptiveConcurrency(settings, 0);
    let n = 0;
    while (isAdmitted(limiter.enter(2, 3, 0))) n += 1;
    expect(n).toBe(20);
    const mixed = createAdaptiveConcurrency(settings, 0);
    const premium = mixed.enter(0, 3, 0) as AdmissionSlot;
    let m = 0;
    while (isAdmitted(mixed.enter(2, 3, 0))) m += 1;
    expect(m).toBe(9);
    premium.end({ kind: "ignored" }, 0);
    expect(isAdmitted(mixed.enter(2, 3, 0))).toBe(true);
  });

  it("follows a slower model: the minimum latency is the lowest of the last window only", () => {
    const limiter = createAdaptiveConcurrency({ ...settings, minLatencyWindowMs: 3000 }, 0);
    simulate(limiter, 0, 10, 10, () => 5);
    simulate(limiter, 1000, 40, 10, () => 50);
    expect(limiter.minLatencyMs).toBe(50);
  });

  it("ignores outcomes with nothing to learn and counts every end once", () => {
    const limiter = createAdaptiveConcurrency(settings, 0);
    const slot = limiter.enter(0, 1, 0) as AdmissionSlot;
    slot.end({ kind: "ignored" }, 1000);
    slot.end({ kind: "overloaded" }, 1000);
    expect(limiter.inFlight).toBe(0);
    expect(limiter.limit).toBe(20);
  });
});
