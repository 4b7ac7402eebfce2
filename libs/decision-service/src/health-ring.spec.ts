import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "@jest/globals";
import { type ListModelStatsResponse, ListModelStatsResponseSchema } from "@modelrouter/contracts";
import { createHealthRing } from "./index.js";

/** A ListModelStats answer with cumulative counts of one version of digits-lite. */
function cumulative(requests: number, errors: number, labelled = 0, correct = 0, p95LatencyMs = 0): ListModelStatsResponse {
  return create(ListModelStatsResponseSchema, {
    stats: [
      {
        model: { name: "digits-lite", version: "1" },
        requests: BigInt(requests),
        errors: BigInt(errors),
        labelled: BigInt(labelled),
        correct: BigInt(correct),
        p95LatencyMs,
      },
    ],
  });
}

describe("the health ring (exact figures over a short window from cumulative counts)", () => {
  it("takes the first answer as the baseline and adds up the differences since", () => {
    const ring = createHealthRing({ windowMs: 30_000 });
    ring.observe(cumulative(1000, 500), 0);
    expect(ring.figures(0).size).toBe(0);
    ring.observe(cumulative(1010, 501), 1000);
    ring.observe(cumulative(1040, 521), 2000);
    expect(ring.figures(2000).get("digits-lite@1")).toEqual({
      attempts: 40,
      errorRate: 21 / 40,
      p95LatencyMs: 0,
      latencySamples: 0,
      labelled: 0,
      accuracy: 0,
    });
  });

  it("forgets intervals older than the window", () => {
    const ring = createHealthRing({ windowMs: 30_000 });
    ring.observe(cumulative(0, 0), 0);
    ring.observe(cumulative(50, 50), 1000);
    ring.observe(cumulative(70, 50), 20_000);
    expect(ring.figures(20_000).get("digits-lite@1")?.attempts).toBe(70);
    expect(ring.figures(31_000).get("digits-lite@1")).toMatchObject({ attempts: 20, errorRate: 0 });
  });

  it("takes counts that went down as a new baseline instead of a negative interval", () => {
    const ring = createHealthRing({ windowMs: 30_000 });
    ring.observe(cumulative(100, 10), 0);
    ring.observe(cumulative(5, 5), 1000);
    ring.observe(cumulative(25, 5), 2000);
    expect(ring.figures(2000).get("digits-lite@1")).toMatchObject({ attempts: 20, errorRate: 0 });
  });

  it("starts from a new baseline after rebase, keeping the intervals it has", () => {
    const ring = createHealthRing({ windowMs: 30_000 });
    ring.observe(cumulative(0, 0), 0);
    ring.observe(cumulative(10, 10), 1000);
    ring.rebase();
    ring.observe(cumulative(3, 0), 1500);
    ring.observe(cumulative(13, 0), 2000);
    expect(ring.figures(2000).get("digits-lite@1")).toMatchObject({ attempts: 20, errorRate: 0.5 });
  });

  it("counts labelled and correct answers as they arrive, and takes p95 latency from the short window", () => {
    const ring = createHealthRing({ windowMs: 30_000 });
    ring.observe(cumulative(10, 0, 4, 4), 0);
    ring.observe(cumulative(30, 0, 24, 9), 1000);
    ring.observeLatency(cumulative(40, 0, 0, 0, 310));
    expect(ring.figures(1000).get("digits-lite@1")).toEqual({
      attempts: 20,
      errorRate: 0,
      p95LatencyMs: 310,
      latencySamples: 40,
      labelled: 20,
      accuracy: 0.25,
    });
  });
});
