import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@modelrouter/config";
import { DEFAULT_EGRESS_POLICY } from "@modelrouter/egress";
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

  it("reads the egress policy that oip endpoint URLs are checked against, defaulting to every scheme and no lists", () => {
    expect(loadConfig({}, "/").registry.egress).toEqual(DEFAULT_EGRESS_POLICY);
    const config = loadConfig({ MODELROUTER_EGRESS_SCHEMES: "https,grpcs", MODELROUTER_EGRESS_ALLOW: "127.0.0.1/32" }, "/");
    expect(config.registry.egress?.schemes).toEqual(["https", "grpcs"]);
    expect(config.registry.egress?.allow).toHaveLength(1);
  });

  it("names each bad egress setting and its fix", () => {
    expect(() => loadConfig({ MODELROUTER_EGRESS_SCHEMES: "ftp", MODELROUTER_EGRESS_DENY: "10.0.0.0/99" }, "/")).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringMatching(/^MODELROUTER_EGRESS_SCHEMES="ftp": unknown "ftp"; list some of https, grpcs, http, grpc/),
          expect.stringMatching(/^MODELROUTER_EGRESS_DENY: "10.0.0.0\/99" is not a host name, \*.domain, IP address or CIDR block/),
        ],
      }) as unknown as Error,
    );
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
