import { describe, expect, it } from "@jest/globals";
import { smokeChecks, type SmokeFigures, type SmokePair } from "./smoke-checks.js";

const echo: SmokeFigures = { c1P50Us: 360, closedThroughput: 7200, closedServerCpuUs: 47, errors: 0 };
const colocated: SmokeFigures = { c1P50Us: 1760, closedThroughput: 1300, closedServerCpuUs: 900, errors: 0 };
const pair: SmokePair = { echo, colocated };

describe("smokeChecks", () => {
  it("passes today's co-located modelrouter against the echo", () => {
    expect(smokeChecks([pair]).map((c) => c.pass)).toEqual([true, true, true, true]);
  });

  it("fails a doubled routing cost on the CPU ratio", () => {
    const doubled = { ...colocated, closedServerCpuUs: 47 + 2 * (900 - 47), closedThroughput: 900 };
    const failed = smokeChecks([{ echo, colocated: doubled }]).filter((c) => !c.pass);
    expect(failed.map((c) => c.name)).toEqual(["server CPU per request vs echo"]);
    expect(failed[0]!.measured).toBe("1753 / 47 µs = 37.3×");
  });

  it("fails any non-OK answer, a c1 p50 more than 3.5 ms above the echo, and throughput under 10 % of the echo's", () => {
    const bad = { ...colocated, errors: 1, c1P50Us: echo.c1P50Us + 3600, closedThroughput: 500 };
    expect(
      smokeChecks([{ echo, colocated: bad }])
        .filter((c) => !c.pass)
        .map((c) => c.name),
    ).toEqual(["no errors", "c1 p50 added over echo", "closed-loop throughput vs echo"]);
  });

  it("judges the median pair, so that one run measured in a busy moment neither fails nor passes the smoke", () => {
    const quietEcho = { ...echo, closedServerCpuUs: 25 };
    const pairs: SmokePair[] = [pair, { echo: quietEcho, colocated }, pair];
    const cpu = smokeChecks(pairs).find((c) => c.name === "server CPU per request vs echo")!;
    expect(cpu.pass).toBe(true);
    expect(cpu.measured).toBe("900 / 47 µs = 19.1× (median of 3 pairs: 19.1×, 36.0×, 19.1×)");

    const doubled = { ...colocated, closedServerCpuUs: 1753 };
    expect(smokeChecks([{ echo, colocated: doubled }, pair, { echo, colocated: doubled }]).find((c) => c.name === cpu.name)!.pass).toBe(false);
  });

  it("counts the errors of every pair", () => {
    const failing = { ...colocated, errors: 2 };
    expect(smokeChecks([pair, { echo, colocated: failing }, pair])[0]).toMatchObject({ pass: false, measured: "echo 0, co-located 2 non-OK answers" });
  });

  it("needs at least one pair", () => {
    expect(() => smokeChecks([])).toThrow("at least one pair");
  });
});
