import { describe, expect, it } from "@jest/globals";
import { ConfigError, EnvReader } from "./index.js";

describe("EnvReader", () => {
  it("uses the defaults when nothing is set", () => {
    const env = new EnvReader({});
    expect(env.port("P", 50051)).toBe(50051);
    expect(env.durationMs("D", 5000)).toBe(5000);
    expect(env.bool("B", true)).toBe(true);
    expect(() => env.done()).not.toThrow();
  });

  it("parses durations with units", () => {
    const env = new EnvReader({ A: "250", B: "250ms", C: "5s", D: "2m", E: "1.5s", F: "6h", G: "7d" });
    expect(["A", "B", "C", "D", "E", "F", "G"].map((name) => env.durationMs(name, 0))).toEqual([
      250, 250, 5000, 120_000, 1500, 21_600_000, 604_800_000,
    ]);
  });

  it("reads bounded numbers", () => {
    const env = new EnvReader({ A: "0.25", B: "2" });
    expect(env.number("A", 1, { min: 0, max: 1 })).toBe(0.25);
    expect(env.number("B", 1, { min: 0, max: 1 })).toBe(1);
    expect(() => env.done()).toThrow("B=\"2\": expected a number from 0 to 1");
  });

  it("accepts host:port addresses, IPv6 included", () => {
    const env = new EnvReader({ A: "127.0.0.1:50052", B: "[::1]:7", C: "localhost:80" });
    expect([env.address("A", ""), env.address("B", ""), env.address("C", "")]).toEqual(["127.0.0.1:50052", "[::1]:7", "localhost:80"]);
    env.done();
  });

  it("reports every bad variable at once, naming it and the fix", () => {
    const env = new EnvReader({ PORT: "http", ADDR: "nohost", WAIT: "soon", TOPO: "analyzer,mars" });
    env.port("PORT", 1);
    env.address("ADDR", "127.0.0.1:1");
    env.durationMs("WAIT", 1);
    env.listOf("TOPO", ["analyzer", "executor"], []);
    let error: unknown;
    try {
      env.done();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain("PORT=\"http\": expected a whole number from 0 to 65535");
    expect(problems[1]).toContain("ADDR=\"nohost\": expected host:port");
    expect(problems[2]).toContain("WAIT=\"soon\": expected a duration");
    expect(problems[3]).toContain("unknown mars");
  });
});
