import { describe, expect, it } from "@jest/globals";
import { LaunchError, readLaunchSettings, runStart, type SignalSource } from "./index.js";

const noSignals: SignalSource = { on: () => undefined, off: () => undefined };

describe("the launcher's settings", () => {
  it("are the services' own variables: MODELROUTER_<SERVICE>_LISTEN, MODELROUTER_ROUTER_HTTP_LISTEN and MODELROUTER_REGISTRY_DATA_DIR", () => {
    expect(
      readLaunchSettings({
        MODELROUTER_ROUTER_LISTEN: "127.0.0.1:6001",
        MODELROUTER_ROUTER_HTTP_LISTEN: "off",
        MODELROUTER_DECISION_LISTEN: "0.0.0.0:6003",
        MODELROUTER_REGISTRY_LISTEN: " ",
        MODELROUTER_REGISTRY_DATA_DIR: "/data/registry",
      }),
    ).toEqual({ listen: { router: "127.0.0.1:6001", "router-http": "off", "decision-engine": "0.0.0.0:6003" }, dataDir: "/data/registry" });
  });

  it("read how many executor processes to run, as a whole number", () => {
    expect(readLaunchSettings({ MODELROUTER_LAUNCH_EXECUTORS: "3" }).executors).toBe(3);
    expect(readLaunchSettings({}).executors).toBeUndefined();
    expect(() => readLaunchSettings({ MODELROUTER_LAUNCH_EXECUTORS: "two" })).toThrow(
      new LaunchError(["MODELROUTER_LAUNCH_EXECUTORS=two: expected a whole number from 1 to 16, the executor processes to run"]),
    );
  });

  it("refuse the old launcher's names, giving the variable to set instead", () => {
    const read = () =>
      readLaunchSettings({ MODELROUTER_REGISTRY_PORT: "6004", MODELROUTER_HTTP_PORT: "6080", MODELROUTER_DECISION_PORT: "6003", MODELROUTER_HOST: "0.0.0.0" });
    expect(read).toThrow(LaunchError);
    expect(() => read()).toThrow(
      new LaunchError([
        "MODELROUTER_HTTP_PORT=6080 is no longer read: set MODELROUTER_ROUTER_HTTP_LISTEN=0.0.0.0:6080 instead",
        "MODELROUTER_DECISION_PORT=6003 is no longer read: set MODELROUTER_DECISION_LISTEN=0.0.0.0:6003 instead",
        "MODELROUTER_REGISTRY_PORT=6004 is no longer read: set MODELROUTER_REGISTRY_LISTEN=0.0.0.0:6004 instead",
        "MODELROUTER_HOST=0.0.0.0 is no longer read: put the host in each listen address, for example MODELROUTER_ROUTER_LISTEN=0.0.0.0:50051",
      ]),
    );
  });

  it("stop npm start before anything starts (exit 2) with a message naming the new variable", async () => {
    const err: string[] = [];
    const code = await runStart([], { MODELROUTER_ROUTER_PORT: "6001" }, { out: () => undefined, err: (line) => void err.push(line) }, noSignals);
    expect({ code, err }).toEqual({
      code: 2,
      err: ["modelrouter: MODELROUTER_ROUTER_PORT=6001 is no longer read: set MODELROUTER_ROUTER_LISTEN=127.0.0.1:6001 instead"],
    });
  });

  it("npm start refuses an unknown argument with its usage (exit 2)", async () => {
    const err: string[] = [];
    const code = await runStart(["--colocate"], {}, { out: () => undefined, err: (line) => void err.push(line) }, noSignals);
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/Unknown option '--colocate'[^]*usage: npm start \[-- --colocated\]/);
  });
});
