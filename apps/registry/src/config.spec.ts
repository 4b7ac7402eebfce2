import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@modelrouter/config";
import { loadConfig } from "./config.js";

describe("the registry's configuration", () => {
  it("defaults to an embedded PGlite store under the working directory", () => {
    const config = loadConfig({}, "/srv/app");
    expect(config.listen).toBe("127.0.0.1:50054");
    expect(config.registry.database).toEqual({ kind: "pglite", dataDir: "/srv/app/.modelrouter/registry" });
  });

  it("uses a PostgreSQL server when given its URL", () => {
    const config = loadConfig({ MODELROUTER_REGISTRY_DATABASE_URL: "postgres://u@db:5432/registry" }, "/");
    expect(config.registry.database).toEqual({ kind: "postgres", url: "postgres://u@db:5432/registry" });
  });

  it("names every bad setting at once", () => {
    let error: unknown;
    try {
      loadConfig({ MODELROUTER_REGISTRY_LISTEN: "50054", MODELROUTER_REGISTRY_DATABASE_URL: "mysql://x" }, "/");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringContaining("MODELROUTER_REGISTRY_LISTEN"),
      expect.stringContaining("MODELROUTER_REGISTRY_DATABASE_URL: expected a postgres://"),
    ]);
  });
});
