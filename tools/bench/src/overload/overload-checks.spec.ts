import { describe, expect, it } from "@jest/globals";
import { overloadChecks, type OverloadFigures } from "./overload-checks.js";

const meeting: OverloadFigures = {
  mode: "adaptive",
  capacity: 100,
  offered: 200,
  durationS: 60,
  goodputShare: 0.95,
  statusCounts: { OK: 5700, UNAVAILABLE: 6300 },
  rejectionP50Ms: 0.4,
  rejectionP99Ms: 3,
  otherErrorP99Ms: Number.NaN,
  baselineP99Ms: 20,
  acceptedP99Ms: 35,
  rssBeforeMib: 400,
  rssAfterMib: 420,
  alive: true,
  dropped: 0,
};

const failed = (f: OverloadFigures): string[] => overloadChecks(f).filter((c) => !c.pass).map((c) => c.name);

describe("the overload benchmark's checks (reliability.md OVL-1)", () => {
  it("pass a run that meets every criterion", () => {
    expect(failed(meeting)).toEqual([]);
  });

  it("fail each criterion a run misses, by name", () => {
    expect(failed({ ...meeting, alive: false })).toEqual(["every process alive"]);
    expect(failed({ ...meeting, goodputShare: 0.79 })).toEqual(["goodput"]);
    expect(failed({ ...meeting, rejectionP99Ms: 10.5 })).toEqual(["refusal p99"]);
    expect(failed({ ...meeting, statusCounts: { ...meeting.statusCounts, DEADLINE_EXCEEDED: 3 } })).toEqual(["other failures"]);
    expect(failed({ ...meeting, acceptedP99Ms: 41 })).toEqual(["accepted p99"]);
    expect(failed({ ...meeting, rssAfterMib: 601 })).toEqual(["RSS"]);
  });

  it("counts a run without refusals as meeting the refusal latency, and says so", () => {
    const checks = overloadChecks({ ...meeting, statusCounts: { OK: 12_000 }, rejectionP99Ms: Number.NaN });
    expect(checks.find((c) => c.name === "refusal p99")).toMatchObject({ pass: true, measured: "no refusals" });
  });
});
