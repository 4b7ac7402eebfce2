import { describe, expect, it } from "@jest/globals";
import { ConfigError, EnvReader } from "@modelrouter/config";
import { readExecutorConfig } from "./index.js";

const read = (env: Record<string, string>) => {
  const reader = new EnvReader(env);
  const config = readExecutorConfig(reader, "/srv", "/srv/zoo");
  reader.done();
  return config;
};

describe("the executor's configuration", () => {
  it("caps model files at 256 MiB unless MODELROUTER_MODEL_MAX_BYTES says otherwise", () => {
    expect(read({}).maxModelBytes).toBe(256 * 1024 * 1024);
    expect(read({ MODELROUTER_MODEL_MAX_BYTES: "1048576" }).maxModelBytes).toBe(1_048_576);
  });

  it("refuses a model size cap that is not a whole number of bytes from 1 to 2 GiB − 1", () => {
    for (const value of ["0", "-1", "1.5", "lots", String(2 ** 31)]) {
      expect(() => read({ MODELROUTER_MODEL_MAX_BYTES: value })).toThrow(ConfigError);
    }
  });

  it("resolves a relative model root from the working directory", () => {
    expect(read({ MODELROUTER_MODEL_ROOT: "models" }).modelRoot).toBe("/srv/models");
    expect(read({}).modelRoot).toBe("/srv/zoo");
  });

  it("bounds each model's queue at half the total and leaves batching off unless told otherwise", () => {
    expect(read({})).toMatchObject({ maxQueued: 256, maxQueuedPerModel: 128, maxBatchSize: 1, maxBatchDelayMs: 2, sessionIdleMs: 1_800_000 });
    expect(
      read({
        MODELROUTER_EXECUTOR_MAX_QUEUE_PER_MODEL: "8",
        MODELROUTER_EXECUTOR_MAX_BATCH_SIZE: "16",
        MODELROUTER_EXECUTOR_MAX_BATCH_DELAY: "5ms",
        MODELROUTER_EXECUTOR_SESSION_IDLE: "10m",
      }),
    ).toMatchObject({ maxQueuedPerModel: 8, maxBatchSize: 16, maxBatchDelayMs: 5, sessionIdleMs: 600_000 });
  });

  it("never unloads idle models when MODELROUTER_EXECUTOR_SESSION_IDLE is 0", () => {
    expect(read({ MODELROUTER_EXECUTOR_SESSION_IDLE: "0" }).sessionIdleMs).toBe(Number.POSITIVE_INFINITY);
  });

  it("refuses batch settings out of range, naming the variable", () => {
    for (const [name, value] of [
      ["MODELROUTER_EXECUTOR_MAX_BATCH_SIZE", "0"],
      ["MODELROUTER_EXECUTOR_MAX_BATCH_SIZE", "2000"],
      ["MODELROUTER_EXECUTOR_MAX_BATCH_DELAY", "2s"],
      ["MODELROUTER_EXECUTOR_MAX_BATCH_DELAY", "soon"],
      ["MODELROUTER_EXECUTOR_MAX_QUEUE_PER_MODEL", "-1"],
    ] as const) {
      expect(() => read({ [name]: value })).toThrow(name);
    }
  });

  it("checks OIP endpoints' readiness every 5s unless MODELROUTER_EXECUTOR_REMOTE_HEALTH_INTERVAL says otherwise (0: never)", () => {
    expect(read({}).remoteHealthIntervalMs).toBe(5_000);
    expect(read({ MODELROUTER_EXECUTOR_REMOTE_HEALTH_INTERVAL: "30s" }).remoteHealthIntervalMs).toBe(30_000);
    expect(read({ MODELROUTER_EXECUTOR_REMOTE_HEALTH_INTERVAL: "0" }).remoteHealthIntervalMs).toBe(0);
    expect(() => read({ MODELROUTER_EXECUTOR_REMOTE_HEALTH_INTERVAL: "often" })).toThrow(ConfigError);
  });
});
