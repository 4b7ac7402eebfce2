import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@modelrouter/config";
import { modelZooDir } from "@modelrouter/model-zoo";
import { loadConfig } from "./config.js";

describe("the executor's configuration", () => {
  it("runs the model zoo by default", () => {
    const config = loadConfig({}, "/srv");
    expect(config.listen).toBe("127.0.0.1:50055");
    expect(config.executor.modelRoot).toBe(modelZooDir());
    expect(config.executor.workers).toBeGreaterThanOrEqual(1);
  });

  it("resolves a relative model root from the working directory", () => {
    expect(loadConfig({ MODELROUTER_MODEL_ROOT: "models" }, "/srv").executor.modelRoot).toBe("/srv/models");
  });

  it("follows no registry unless MODELROUTER_REGISTRY_ADDRESS names one", () => {
    expect(loadConfig({}, "/srv").registryAddress).toBeUndefined();
    expect(loadConfig({ MODELROUTER_REGISTRY_ADDRESS: "10.0.0.9:50054" }, "/srv").registryAddress).toBe("10.0.0.9:50054");
  });

  it("rejects a registry address that is not host:port, naming the variable", () => {
    expect(() => loadConfig({ MODELROUTER_REGISTRY_ADDRESS: "registry" }, "/")).toThrow(/MODELROUTER_REGISTRY_ADDRESS="registry": expected host:port/);
  });

  it("rejects a worker count that is not a positive whole number", () => {
    expect(() => loadConfig({ MODELROUTER_EXECUTOR_WORKERS: "0" }, "/")).toThrow(ConfigError);
  });
});
