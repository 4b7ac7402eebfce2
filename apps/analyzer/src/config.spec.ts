import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@modelrouter/config";
import { loadConfig } from "./config.js";

describe("the analyzer's configuration", () => {
  it("has working defaults", () => {
    expect(loadConfig({})).toEqual({
      listen: "127.0.0.1:50052",
      logLevel: "info",
      shutdownGraceMs: 10_000,
      callTimeoutMs: 10_000,
      auth: expect.objectContaining({ mode: "off" }),
      tls: {},
    });
  });

  it("names a bad setting and the expected form", () => {
    expect(() => loadConfig({ MODELROUTER_ANALYZER_LISTEN: "localhost", MODELROUTER_LOG_LEVEL: "loud" })).toThrow(ConfigError);
    try {
      loadConfig({ MODELROUTER_ANALYZER_LISTEN: "localhost", MODELROUTER_LOG_LEVEL: "loud" });
    } catch (error) {
      expect((error as ConfigError).message).toContain("MODELROUTER_LOG_LEVEL=\"loud\": expected one of debug, info, warn, error");
      expect((error as ConfigError).message).toContain("MODELROUTER_ANALYZER_LISTEN=\"localhost\": expected host:port");
    }
  });
});
