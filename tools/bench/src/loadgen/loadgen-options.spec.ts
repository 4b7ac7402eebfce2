import { describe, expect, it } from "@jest/globals";
import { loadgenArgs, parseLoadgenOptions } from "./loadgen-options.js";

describe("parseLoadgenOptions", () => {
  it("reads an open-model run and turns back into the same arguments", () => {
    const args = ["--target", "127.0.0.1:50051", "--request-file", "/tmp/r.bin", "--rate", "2000", "--arrival", "poisson", "--duration", "5", "--seed", "9"];
    const options = parseLoadgenOptions(args);
    expect(options).toMatchObject({
      target: "127.0.0.1:50051",
      path: "/modelrouter.router.v1.RouterService/Infer",
      mode: { kind: "open", ratePerSecond: 2000, arrival: "poisson", maxInFlight: 512 },
      warmupS: 2,
      durationS: 5,
      connections: 1,
      deadlineMs: 10_000,
      seed: 9,
      exitWithStdin: false,
    });
    expect(parseLoadgenOptions(loadgenArgs(options))).toEqual(options);
  });

  it("defaults to a closed loop with one request in flight", () => {
    expect(parseLoadgenOptions(["--target", "h:1", "--request-file", "f"]).mode).toEqual({ kind: "closed", concurrency: 1 });
  });

  it("reports every problem of a bad command line at once, with the usage", () => {
    let message = "";
    try {
      parseLoadgenOptions(["--target", "nohost", "--rate", "10", "--concurrency", "4", "--duration", "0", "--connections", "1.5"]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('--target must be HOST:PORT, got "nohost"');
    expect(message).toContain("--request-file is required");
    expect(message).toContain("not both");
    expect(message).toContain('--duration must be a positive number, got "0"');
    expect(message).toContain('--connections must be a positive integer, got "1.5"');
    expect(message).toContain("usage:");
  });
});
