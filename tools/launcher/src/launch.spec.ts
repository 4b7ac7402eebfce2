import { createServer, type Server } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { createFakeRoot, freeAddress, settingsOf, type FakeRoot } from "./fake-services.test-support.js";
import { launch, LaunchError, type LaunchHandle, type LaunchOptions, type ListenOverrides } from "./index.js";

describe("launch, with fake services", () => {
  let fake: FakeRoot;
  let handle: LaunchHandle | undefined;
  const lines = new Map<string, string[]>();
  const linesOf = (name: string): string[] => lines.get(name) ?? [];
  const messagesOf = (name: string): string[] => linesOf(name).map((line) => (JSON.parse(line) as { msg: string }).msg);

  beforeAll(async () => {
    fake = await createFakeRoot();
  });
  afterAll(() => fake.remove());
  afterEach(async () => {
    await handle?.stop("SIGKILL");
    handle = undefined;
    lines.clear();
  });

  const movedListen = async (): Promise<Required<ListenOverrides>> => ({
    router: await freeAddress(),
    "router-http": await freeAddress(),
    analyzer: await freeAddress(),
    "decision-engine": await freeAddress(),
    registry: await freeAddress(),
    executor: await freeAddress(),
  });

  const start = async (options: Omit<LaunchOptions, "root">): Promise<LaunchHandle> => {
    handle = await launch({
      root: fake.root,
      baseEnv: { PATH: process.env["PATH"] },
      onLogLine: (name, line) => lines.set(name, [...linesOf(name), line]),
      ...options,
    });
    return handle;
  };

  it("tells every service its moved listen address and the addresses of the services it calls (distributed)", async () => {
    const listen = await movedListen();
    const registryPort = listen.registry.split(":")[1]!;
    const system = await start({
      topology: "distributed",
      listen: { ...listen, registry: `0.0.0.0:${registryPort}` },
      dataDir: "/tmp/registry-data",
      env: { MODELROUTER_COLOCATE: "analyzer", MODELROUTER_REGISTRY_ADDRESS: "127.0.0.1:50054" },
    });
    await system.ready;

    const registryAddress = `127.0.0.1:${registryPort}`;
    expect(Object.fromEntries(["registry", "analyzer", "executor", "decision-engine", "router"].map((name) => [name, settingsOf(linesOf(name))]))).toEqual({
      registry: expect.objectContaining({ MODELROUTER_REGISTRY_LISTEN: `0.0.0.0:${registryPort}`, MODELROUTER_REGISTRY_DATA_DIR: "/tmp/registry-data" }),
      analyzer: expect.objectContaining({ MODELROUTER_ANALYZER_LISTEN: listen.analyzer }),
      executor: expect.objectContaining({ MODELROUTER_EXECUTOR_LISTEN: listen.executor, MODELROUTER_REGISTRY_ADDRESS: registryAddress }),
      "decision-engine": expect.objectContaining({ MODELROUTER_DECISION_LISTEN: listen["decision-engine"], MODELROUTER_REGISTRY_ADDRESS: registryAddress }),
      router: expect.objectContaining({
        MODELROUTER_ROUTER_LISTEN: listen.router,
        MODELROUTER_ROUTER_HTTP_LISTEN: listen["router-http"],
        MODELROUTER_ANALYZER_ADDRESS: listen.analyzer,
        MODELROUTER_DECISION_ADDRESS: listen["decision-engine"],
        MODELROUTER_EXECUTOR_ADDRESS: listen.executor,
        MODELROUTER_REGISTRY_ADDRESS: registryAddress,
      }),
    });
    expect(settingsOf(linesOf("router"))["MODELROUTER_COLOCATE"]).toBeUndefined();
    expect(system.addresses).toEqual({
      router: listen.router,
      registry: registryAddress,
      http: `http://${listen["router-http"]}`,
      services: {
        router: listen.router,
        analyzer: listen.analyzer,
        "decision-engine": listen["decision-engine"],
        registry: registryAddress,
        executor: listen.executor,
      },
    });
    expect(system.processes.map((p) => p.name)).toEqual(["registry", "analyzer", "executor", "decision-engine", "router"]);

    const outcome = await system.stop("SIGTERM");
    expect(outcome).toEqual({
      code: 0,
      exits: Object.fromEntries(system.processes.map((p) => [p.name, { code: 0, signal: null }])),
      failure: undefined,
      killed: [],
    });
  });

  it("runs several executors, the others at the ports after the first, and gives the router every one", async () => {
    const listen = await movedListen();
    const port = Number(listen.executor.split(":")[1]);
    const system = await start({ topology: "distributed", listen, executors: 3 });
    await system.ready;
    const more = [`127.0.0.1:${port + 1}`, `127.0.0.1:${port + 2}`];
    expect(system.processes.map((p) => p.name)).toEqual(["registry", "analyzer", "executor", "executor-2", "executor-3", "decision-engine", "router"]);
    expect([settingsOf(linesOf("executor-2")), settingsOf(linesOf("executor-3"))]).toEqual(
      more.map((address) => expect.objectContaining({ MODELROUTER_EXECUTOR_LISTEN: address, MODELROUTER_REGISTRY_ADDRESS: listen.registry })),
    );
    expect(settingsOf(linesOf("router"))["MODELROUTER_EXECUTOR_ADDRESS"]).toBe([listen.executor, ...more].join(","));
    expect((await system.stop()).code).toBe(0);
  });

  it("passes the authentication settings to every service, as they are", async () => {
    const auth = {
      MODELROUTER_AUTH: "on",
      MODELROUTER_INTERNAL_TOKEN: "file:/run/secrets/internal",
      MODELROUTER_ADMIN_TOKEN: "env:ADMIN_TOKEN",
      MODELROUTER_JWT_ISSUER: "https://issuer.example",
      MODELROUTER_API_KEY_CACHE_TTL: "10s",
    };
    const system = await start({ topology: "distributed", listen: await movedListen(), env: auth });
    await system.ready;
    for (const { name } of system.processes) expect([name, settingsOf(linesOf(name))]).toEqual([name, expect.objectContaining(auth)]);
    expect((await system.stop()).code).toBe(0);
  });

  it("refuses several executors in the co-located topology, naming the variable", async () => {
    await expect(launch({ root: fake.root, topology: "co-located", listen: await movedListen(), executors: 2 })).rejects.toThrow(
      "MODELROUTER_LAUNCH_EXECUTORS=2: several executors run in the distributed topology only",
    );
  });

  it("co-located: one router process hosting the other four, the registry's API on a port of its own", async () => {
    const listen = await movedListen();
    const system = await start({ topology: "co-located", listen, dataDir: "/tmp/registry-data" });
    await system.ready;
    expect(settingsOf(linesOf("router"))).toEqual(
      expect.objectContaining({
        MODELROUTER_COLOCATE: "analyzer,decision-engine,executor,registry",
        MODELROUTER_ROUTER_LISTEN: listen.router,
        MODELROUTER_ROUTER_HTTP_LISTEN: listen["router-http"],
        MODELROUTER_REGISTRY_LISTEN: listen.registry,
        MODELROUTER_REGISTRY_DATA_DIR: "/tmp/registry-data",
      }),
    );
    expect(system.addresses).toEqual({
      router: listen.router,
      registry: listen.registry,
      http: `http://${listen["router-http"]}`,
      services: { router: listen.router, registry: listen.registry },
    });
    expect((await system.stop()).code).toBe(0);
  });

  it("refuses, before starting anything, a listen address that is not host:port, port 0, and two services on one port, naming each variable", async () => {
    const taken = await freeAddress();
    const attempt = launch({
      root: fake.root,
      topology: "distributed",
      listen: { router: "localhost", "router-http": "127.0.0.1:0", registry: taken, executor: taken },
    });
    await expect(attempt).rejects.toThrow(LaunchError);
    const error = (await attempt.catch((e: unknown) => e)) as LaunchError;
    expect(error.problems).toEqual([
      expect.stringMatching(/^MODELROUTER_ROUTER_LISTEN="localhost": expected host:port/),
      expect.stringMatching(/^MODELROUTER_ROUTER_HTTP_LISTEN=127\.0\.0\.1:0: port 0/),
      expect.stringMatching(/^MODELROUTER_EXECUTOR_LISTEN=.*: the same port as MODELROUTER_REGISTRY_LISTEN/),
    ]);
  });

  it("refuses a port that is taken, naming what it is for and the variable that moves it", async () => {
    const address = await freeAddress();
    const port = Number(address.split(":")[1]);
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
    try {
      const attempt = launch({ root: fake.root, topology: "co-located", listen: { ...(await movedListen()), registry: address } });
      await expect(attempt).rejects.toThrow(
        `port ${port} on 127.0.0.1 is taken (the registry's gRPC port): stop what uses it, or move it with MODELROUTER_REGISTRY_LISTEN=127.0.0.1:<another port>`,
      );
    } finally {
      squatter.close();
    }
  });

  it("when a service exits while the others run, stops them all and fails naming it", async () => {
    const system = await start({ topology: "distributed", listen: await movedListen() });
    await system.ready;
    process.kill(system.processes.find((p) => p.name === "analyzer")!.pid, "SIGKILL");
    const outcome = await system.exited;
    expect(outcome.code).toBe(1);
    expect(outcome.failure).toBe("analyzer was ended by SIGKILL while running, so the others were stopped");
    expect(outcome.exits).toEqual({
      registry: { code: 0, signal: null },
      analyzer: { code: null, signal: "SIGKILL" },
      executor: { code: 0, signal: null },
      "decision-engine": { code: 0, signal: null },
      router: { code: 0, signal: null },
    });
  });

  it("when a service exits before it is ready, fails the launch naming it with its output, and stops the others", async () => {
    const system = await start({ topology: "distributed", listen: await movedListen(), env: { FAKE_EXECUTOR: "exit-before-ready" } });
    await expect(system.ready).rejects.toThrow(/^executor exited with code 3 before it was ready\nits last output:\n[^]*cannot start: a fake failure/);
    const outcome = await system.exited;
    expect(outcome.code).toBe(1);
    expect(outcome.failure).toBe("executor exited with code 3 before it was ready");
    expect(system.processes.map((p) => p.name)).not.toContain("router");
    expect(Object.entries(outcome.exits).filter(([name]) => name !== "executor")).toEqual(
      expect.arrayContaining([["registry", { code: 0, signal: null }]]),
    );
  });

  it("after a Ctrl-C that reached every service, adds no signal of its own and exits 0 once they have", async () => {
    const system = await start({ topology: "distributed", listen: await movedListen(), signalCheckMs: 600_000 });
    await system.ready;
    // What the terminal does: the signal reaches every process of the group.
    for (const { pid } of system.processes) process.kill(pid, "SIGINT");
    const outcome = await system.stop("SIGINT", { alreadySent: true });
    expect(outcome.code).toBe(0);
    for (const { name } of system.processes) expect(messagesOf(name).filter((msg) => msg.includes("shutting down"))).toEqual(["shutting down"]);
  });

  it("a Ctrl-C sent to the launcher alone still stops the services: those that do not report shutting down are sent it", async () => {
    const system = await start({ topology: "co-located", listen: await movedListen(), signalCheckMs: 50 });
    await system.ready;
    const outcome = await system.stop("SIGINT", { alreadySent: true });
    expect(outcome.code).toBe(0);
    expect(messagesOf("router")).toContain("shutting down");
  });

  it("kills a service that has not stopped when the stop timeout passes, and fails naming it", async () => {
    const system = await start({ topology: "co-located", listen: await movedListen(), env: { FAKE_ROUTER: "ignore-signals" }, stopTimeoutMs: 300 });
    await system.ready;
    const outcome = await system.stop("SIGTERM");
    expect(outcome).toEqual({
      code: 1,
      exits: { router: { code: null, signal: "SIGKILL" } },
      failure: "router had not stopped 300 ms after the stop began, so it was killed (SIGKILL)",
      killed: ["router"],
    });
    expect(await system.stop("SIGTERM")).toBe(outcome);
  });

  it("fails when a service does not stop cleanly, naming it", async () => {
    const system = await start({ topology: "co-located", listen: await movedListen(), env: { FAKE_ROUTER: "fail-on-stop" } });
    await system.ready;
    const outcome = await system.stop("SIGTERM");
    expect({ code: outcome.code, failure: outcome.failure }).toEqual({ code: 1, failure: "did not stop cleanly: router exited with code 1" });
  });
});
