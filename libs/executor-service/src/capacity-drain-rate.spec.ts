import { describe, expect, it } from "@jest/globals";
import { DrainRate, RETRY_HINT_BOUNDS, retryAfterMs } from "./capacity-drain-rate.js";

describe("a queue's drain rate and the retry hint derived from it", () => {
  it("measures departures per millisecond up to now, so that a stalled queue shows a falling rate", () => {
    let now = 0;
    const rate = new DrainRate({ now: () => now });
    expect(rate.perMs()).toBeUndefined();
    for (let i = 0; i < 10; i++) {
      rate.record();
      now += 10;
    }
    expect(rate.perMs()).toBeCloseTo(10 / 100);
    now += 900;
    expect(rate.perMs()).toBeCloseTo(10 / 1000);
  });

  it("keeps only the latest departures", () => {
    let now = 0;
    const rate = new DrainRate({ window: 4, now: () => now });
    rate.record(4);
    now = 1_000;
    rate.record(4);
    now = 1_010;
    expect(rate.perMs()).toBeCloseTo(4 / 10);
  });

  it("hints the time the waiting tasks take to drain, within bounds", () => {
    expect(retryAfterMs(20, 0.1)).toBe(200);
    expect(retryAfterMs(1, 10)).toBe(RETRY_HINT_BOUNDS.minMs);
    expect(retryAfterMs(1_000_000, 0.001)).toBe(RETRY_HINT_BOUNDS.maxMs);
    expect(retryAfterMs(5, undefined)).toBe(RETRY_HINT_BOUNDS.unmeasuredMs);
  });
});
