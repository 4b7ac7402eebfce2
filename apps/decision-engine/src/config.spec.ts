import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@modelrouter/config";
import { loadConfig } from "./config.js";

describe("the decision engine's configuration", () => {
  it("follows the registry on its default address", () => {
    const config = loadConfig({});
    expect(config.listen).toBe("127.0.0.1:50053");
    expect(config.registryAddress).toBe("127.0.0.1:50054");
  });

  it("rejects a registry address without a port", () => {
    expect(() => loadConfig({ MODELROUTER_REGISTRY_ADDRESS: "registry" })).toThrow(ConfigError);
  });
});
