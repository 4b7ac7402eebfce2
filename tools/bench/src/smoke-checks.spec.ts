import { describe, expect, it } from "@jest/globals";
import { smokeChecks, type SmokeFigures } from "./smoke-checks.js";

const echo: SmokeFigures = { c1P50Us: 360, closedThroughput: 7200, closedServerCpuUs: 47, errors: 0 };
const colocated: SmokeFigures = { c1P50Us: 1760, closedThroughput: 1300, closedServerCpuUs: 900, errors: 0 };

describe("smokeChecks", () => {
  it("passes today's co-located modelrouter against the echo", () => {
    expect(smokeChecks(echo, colocated).map((c) => c.pass)).toEqual([true, true, true, true]);
  });

  it("fails a doubled routing cost on the CPU ratio", () => {
    const doubled = { ...colocated, closedServerCpuUs: 47 + 2 * (900 - 47), closedThroughput: 900 };
    const failed = smokeChecks(echo, doubled).filter((c) => !c.pass);
    expect(failed.map((c) => c.name)).toEqual(["server CPU per request vs echo"]);
    expect(failed[0]!.measured).toBe("1753 / 47 µs = 37.3×");
  });

  it("fails any non-OK answer, a c1 p50 5 ms above the echo, and throughput under 10 % of the echo's", () => {
    const bad = { ...colocated, errors: 1, c1P50Us: 6000, closedThroughput: 500 };
    expect(smokeChecks(echo, bad).filter((c) => !c.pass).map((c) => c.name)).toEqual([
      "no errors",
      "c1 p50 added over echo",
      "closed-loop throughput vs echo",
    ]);
  });
});
