import { describe, expect, it } from "@jest/globals";
import { leastSquaresSlope, rssTrends, type RssSample } from "./rss-trend.js";
import { soakWarmupS } from "./run-soak.js";

describe("leastSquaresSlope", () => {
  it("fits a line exactly and is NaN without two distinct points", () => {
    expect(leastSquaresSlope([0, 1, 2, 3].map((x) => ({ x, y: 5 + 2 * x })))).toBeCloseTo(2);
    expect(leastSquaresSlope([{ x: 1, y: 1 }])).toBeNaN();
    expect(leastSquaresSlope([{ x: 1, y: 1 }, { x: 1, y: 2 }])).toBeNaN();
  });
});

describe("rssTrends", () => {
  // Every 10 s for 10 min: the router fills up in the first minute and then stays level (± 1 MiB);
  // the registry grows by 1 MiB a minute throughout.
  const samples: RssSample[] = Array.from({ length: 61 }, (_, i) => ({
    atS: i * 10,
    mib: { router: i < 6 ? 80 + i * 10 : 140 + (i % 2), registry: 100 + i / 6 },
  }));
  const trends = Object.fromEntries(rssTrends(samples, 60).map((t) => [t.process, t]));

  it("ignores the warm-up and finds a level process flat", () => {
    expect(Math.abs(trends["router"]!.slopeMibPerMin)).toBeLessThan(0.05);
    expect(trends["router"]).toMatchObject({ flat: true, firstMib: 140, maxMib: 141 });
  });

  it("finds a steadily growing process growing, at its rate in MiB per minute", () => {
    expect(trends["registry"]!.slopeMibPerMin).toBeCloseTo(1);
    expect(trends["registry"]!.flat).toBe(false);
    expect(trends["registry"]!.projected30MinShare).toBeCloseTo(30 / trends["registry"]!.meanMib);
  });
});

describe("soakWarmupS", () => {
  it("is a quarter of the soak, at most five minutes", () => {
    expect([soakWarmupS(2), soakWarmupS(30)]).toEqual([30, 300]);
  });
});
