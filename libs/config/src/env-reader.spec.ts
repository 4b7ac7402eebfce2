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
    const env = new EnvReader({ A: "250", B: "250ms", C: "5s", D: "2m", E: "1.5s" });
    expect([env.durationMs("A", 0), env.durationMs("B", 0), env.durationMs("C", 0), env.durationMs("D", 0), env.durationMs("E", 0)]).toEqual([
      250, 250, 5000, 120_000, 1500,
    ]);
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
