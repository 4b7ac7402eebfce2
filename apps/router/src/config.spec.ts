import { describe, expect, it } from "@jest/globals";
import { problems } from "./config-problems.test-support.js";
import { loadConfig } from "./config.js";


describe("the router's configuration", () => {
  it("defaults to the distributed topology on loopback", () => {
    const config = loadConfig({}, "/srv");
    expect(config.listen).toBe("127.0.0.1:50051");
    expect(config.httpListen).toBe("127.0.0.1:8080");
    expect([...config.colocate]).toEqual([]);
    expect(config.addresses).toEqual({
      analyzer: "127.0.0.1:50052",
      "decision-engine": "127.0.0.1:50053",
      registry: "127.0.0.1:50054",
      executor: "127.0.0.1:50055",
    });
    expect(config.registry).toBeUndefined();
    expect(config.executor).toBeUndefined();
    expect(config.limits).toEqual({ defaultDeadlineMs: 10_000, maxDeadlineMs: 60_000, maxAttempts: 3, maxInstanceAttempts: 3 });
    expect(config.executorAddresses).toEqual(["127.0.0.1:50055"]);
    expect(config.executorResolveIntervalMs).toBe(5000);
    expect(config.internalTransport).toBe("tunnel");
  });

  it("serves Prometheus metrics only where MODELROUTER_ROUTER_METRICS_LISTEN says, naming the variable when it is no address", () => {
    expect(loadConfig({}, "/srv").metricsListen).toBeUndefined();
    expect(loadConfig({ MODELROUTER_ROUTER_METRICS_LISTEN: "0.0.0.0:9464" }, "/srv").metricsListen).toBe("0.0.0.0:9464");
    expect(problems({ MODELROUTER_ROUTER_METRICS_LISTEN: "9464" })).toEqual(['MODELROUTER_ROUTER_METRICS_LISTEN="9464": expected host:port, for example 127.0.0.1:50052']);
  });

  it("reads the settings of the services it hosts when co-located", () => {
    const config = loadConfig({ MODELROUTER_COLOCATE: "analyzer, registry,executor", MODELROUTER_REGISTRY_DATA_DIR: "data" }, "/srv");
    expect([...config.colocate].sort()).toEqual(["analyzer", "executor", "registry"]);
    expect(config.registry?.database).toMatchObject({ kind: "pglite", dataDir: "/srv/data" });
    expect(config.executor?.workers).toBeGreaterThanOrEqual(1);
    expect(config.registryListen).toBe("127.0.0.1:50054");
  });

  it("gives a co-located registry the egress policy its oip endpoint URLs are checked against, naming bad settings", () => {
    const config = loadConfig({ MODELROUTER_COLOCATE: "registry", MODELROUTER_EGRESS_ALLOW: "127.0.0.1/32" }, "/srv");
    expect(config.registry?.egress?.allow).toHaveLength(1);
    expect(problems({ MODELROUTER_COLOCATE: "registry", MODELROUTER_EGRESS_SCHEMES: "ftp" })).toEqual([
      expect.stringContaining('MODELROUTER_EGRESS_SCHEMES="ftp": unknown "ftp"'),
    ]);
  });

  it("serves a co-located registry on the registry's own port, never on the front door", () => {
    expect(loadConfig({}, "/srv").registryListen).toBeUndefined();
    const config = loadConfig({ MODELROUTER_COLOCATE: "registry", MODELROUTER_REGISTRY_LISTEN: "0.0.0.0:6054" }, "/srv");
    expect(config.registryListen).toBe("0.0.0.0:6054");
    expect(config.listen).toBe("127.0.0.1:50051");
  });

  it("turns the HTTP edge off", () => {
    expect(loadConfig({ MODELROUTER_ROUTER_HTTP_LISTEN: "off" }, "/").httpListen).toBeUndefined();
  });

  it("takes several executors, IP addresses or DNS names, each counted once", () => {
    const config = loadConfig(
      {
        MODELROUTER_EXECUTOR_ADDRESS: "10.0.0.5:50055, executor.modelrouter.svc.cluster.local:50055,[::1]:7,10.0.0.5:50055",
        MODELROUTER_EXECUTOR_RESOLVE_INTERVAL: "30s",
        MODELROUTER_EXECUTOR_INSTANCE_ATTEMPTS: "2",
      },
      "/srv",
    );
    expect(config.executorAddresses).toEqual(["10.0.0.5:50055", "executor.modelrouter.svc.cluster.local:50055", "[::1]:7"]);
    expect(config.executorResolveIntervalMs).toBe(30_000);
    expect(config.limits.maxInstanceAttempts).toBe(2);
  });

  it("reads several analyzers and decision engines, addresses or DNS names, and names a bad entry", () => {
    const config = loadConfig({ MODELROUTER_ANALYZER_ADDRESS: "10.0.0.7:50052, analyzer.svc:50052", MODELROUTER_DECISION_ADDRESS: "decision.svc:50053" }, "/srv");
    expect(config.analyzerAddresses).toEqual(["10.0.0.7:50052", "analyzer.svc:50052"]);
    expect(config.decisionAddresses).toEqual(["decision.svc:50053"]);
    expect(loadConfig({}, "/srv").decisionAddresses).toEqual(["127.0.0.1:50053"]);
    expect(problems({ MODELROUTER_DECISION_ADDRESS: "decision" })).toEqual([
      'MODELROUTER_DECISION_ADDRESS="decision": "decision" is not host:port; expected a comma-separated list of host:port, ' +
        "for example 10.0.0.5:50053,10.0.0.6:50053 or decision-engine.modelrouter.svc.cluster.local:50053 (a headless Service)",
    ]);
  });

  it("names a bad executor address, the variable and the form it expects", () => {
    expect(problems({ MODELROUTER_EXECUTOR_ADDRESS: "10.0.0.5:50055,,executor" })).toEqual([
      'MODELROUTER_EXECUTOR_ADDRESS="10.0.0.5:50055,,executor": an empty entry, "executor" are not host:port; expected a comma-separated ' +
        "list of host:port, for example 10.0.0.5:50055,10.0.0.6:50055 or executor.modelrouter.svc.cluster.local:50055 (a headless Service)",
    ]);
    expect(problems({ MODELROUTER_EXECUTOR_INSTANCE_ATTEMPTS: "0", MODELROUTER_EXECUTOR_RESOLVE_INTERVAL: "soon" })).toEqual([
      expect.stringContaining('MODELROUTER_EXECUTOR_RESOLVE_INTERVAL="soon": expected a duration'),
      expect.stringContaining('MODELROUTER_EXECUTOR_INSTANCE_ATTEMPTS="0": expected a whole number from 1 to 16'),
    ]);
  });

  it("names every bad setting at once", () => {
    expect(
      problems({
        MODELROUTER_COLOCATE: "analyzer,cache",
        MODELROUTER_DEFAULT_DEADLINE: "2m",
        MODELROUTER_MAX_DEADLINE: "1m",
        MODELROUTER_DECISION_LOG_SAMPLE: "1.5",
      }),
    ).toEqual([
      expect.stringContaining("MODELROUTER_COLOCATE=\"analyzer,cache\": unknown cache"),
      expect.stringContaining("MODELROUTER_DEFAULT_DEADLINE: must not exceed MODELROUTER_MAX_DEADLINE"),
      expect.stringContaining("MODELROUTER_DECISION_LOG_SAMPLE=\"1.5\": expected a number from 0 to 1"),
    ]);
  });
});
