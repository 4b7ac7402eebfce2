import { lookup } from "node:dns/promises";
import { hostname } from "node:os";
import { startTelemetry } from "@modelrouter/telemetry/sdk";
import { AnalyzerService, DecisionService, ExecutorService, RegistryService } from "@modelrouter/contracts";
import { startAnalyzer } from "@modelrouter/analyzer-service";
import { startDecisionEngine } from "@modelrouter/decision-service";
import { startExecutor } from "@modelrouter/executor-service";
import { createBalancedClient, createTopology, loadServiceAuth, loadServiceTls, MODELROUTER_VERSION, processCredentials, runHost, runMain, type Component, type ServerSpec } from "@modelrouter/host";
import { startRegistry } from "@modelrouter/registry-service";
import { createRequestGate, createRouterService, discoverExecutors, singleExecutor } from "@modelrouter/router-service";
import { createExecutorMetrics, createRouterStateMetrics, createRoutingMetrics, createServiceMetrics } from "@modelrouter/metrics";
import { createLogger } from "@modelrouter/telemetry";
import { loadConfig, type Colocatable } from "./config.js";
import { routerKeyVerifier } from "./router-key-verifier.js";

runMain("router", async () => {
  const telemetry = startTelemetry({ serviceName: "router", serviceVersion: MODELROUTER_VERSION });
  const config = loadConfig(process.env, process.cwd());
  const logger = createLogger({ service: "router", level: config.logLevel });
  const metrics = config.metricsListen === undefined ? undefined : { listen: config.metricsListen, source: createServiceMetrics({ service: "router" }) };
  const credentials = processCredentials(process.env);
  const auth = await loadServiceAuth(config.auth, "router", credentials);
  const tls = loadServiceTls(config.tls, logger);
  const topology = createTopology({
    transport: config.internalTransport,
    tls: tls.client,
    headers: auth.internalHeaders,
    callTimeoutMs: config.callTimeoutMs,
    onUnexpectedError: (error) => logger.error("handler failed unexpectedly (a bug)", { error }),
  });

  const registry = config.registry === undefined ? undefined : await startRegistry(config.registry, logger.child({ component: "registry" }), credentials);
  const analyzer = config.colocate.has("analyzer") ? await startAnalyzer() : undefined;
  const registryClient = topology.connect(RegistryService, registry ?? config.addresses.registry);
  const decision = config.colocate.has("decision-engine")
    ? startDecisionEngine(registryClient, logger.child({ component: "decision-engine" }))
    : undefined;
  const executor =
    config.executor === undefined
      ? undefined
      : startExecutor(config.executor, logger.child({ component: "executor" }), { registry: registryClient });
  // Every executor follows the registry and loads every ACTIVE model: each address (or each address a DNS name
  // resolves to) is an instance of every model, with a channel of its own.
  const discovered =
    executor === undefined
      ? discoverExecutors({
          targets: config.executorAddresses,
          connect: (address) => topology.open(ExecutorService, address),
          lookup: async (host) => (await lookup(host, { all: true })).map((entry) => entry.address),
          intervalMs: config.executorResolveIntervalMs,
          logger: logger.child({ component: "executor-discovery" }),
          breaker: config.ejection,
        })
      : undefined;
  await discovered?.ready;
  const executors = discovered ?? singleExecutor(topology.connect(ExecutorService, executor ?? config.addresses.executor), "", config.ejection);
  const gate = createRequestGate(config.gate);
  // An analyzer or decision engine that is not co-located may have several instances: each call goes to the next.
  const balanced = <S extends typeof AnalyzerService | typeof DecisionService>(service: S, targets: readonly string[], what: string) =>
    createBalancedClient({
      service,
      targets,
      open: (address) => topology.open(service, address),
      lookup: async (host) => (await lookup(host, { all: true })).map((entry) => entry.address),
      intervalMs: config.executorResolveIntervalMs,
      logger: logger.child({ component: `${what}-discovery` }),
      what,
    });
  const analyzers = analyzer === undefined ? balanced(AnalyzerService, config.analyzerAddresses, "analyzer") : undefined;
  const decisionEngines = decision === undefined ? balanced(DecisionService, config.decisionAddresses, "decision engine") : undefined;
  await Promise.all([analyzers?.ready, decisionEngines?.ready]);
  const routerService = createRouterService({
    analyzer: analyzers?.client ?? topology.connect(AnalyzerService, analyzer!),
    decision: decisionEngines?.client ?? topology.connect(DecisionService, decision!),
    executors,
    registry: registryClient,
    logger,
    limits: config.limits,
    ...(metrics === undefined ? {} : { observeDecision: createRoutingMetrics(metrics.source.registry) }),
    decisionLog: config.decisionLog,
    shadows: config.shadows,
    gate,
    ...(config.statsIntervalMs === 0 ? {} : { modelStats: { intervalMs: config.statsIntervalMs, reporter: `${hostname()}/${process.pid}` } }),
    dependenciesReady: [decision?.ready, executor?.ready].filter((ready) => ready !== undefined),
  });
  if (metrics !== undefined) {
    const admission = gate.admission;
    createRouterStateMetrics(metrics.source.registry, {
      admission: admission === undefined ? undefined : () => ({ limit: admission.limit, inFlight: admission.inFlight }),
      decisionLog: () => routerService.recorder.stats(),
      executors: () =>
        executors.list().map((instance) => ({
          name: instance.name,
          state: executors.breaker.condition(instance.name, Date.now()).state,
          inFlight: executors.load.ofInstance(instance.name),
        })),
    });
    if (executor !== undefined) createExecutorMetrics(metrics.source.registry, () => executor.pool.stats());
  }
  // Closing the router drains its decision log and reports its last live statistics, then closes the discovered
  // executors' channels.
  const router: Component = {
    ...routerService,
    close: async () => {
      await routerService.close();
      await discovered?.close();
      analyzers?.close();
      decisionEngines?.close();
    },
  };

  logger.info("topology", {
    auth: auth.mode,
    tls: tls.server === undefined ? "off" : tls.mutual ? "mutual" : "on",
    internalTls: tls.client === undefined ? "off" : "on",
    transport: config.internalTransport,
    colocated: [...config.colocate].join(",") || "none",
    remote: Object.entries(config.addresses)
      .filter(([name]) => !config.colocate.has(name as Colocatable))
      .map(([name, address]) => `${name}=${address}`)
      .join(","),
  });
  // The front door serves RouterService only; a co-located registry's API has a port of its own, and the
  // other co-located services are called in-process and served nowhere.
  const servers: ServerSpec[] = [{ listen: config.listen, components: [router], http: config.httpListen, exposure: "public" }];
  if (registry !== undefined && config.registryListen !== undefined) {
    servers.push({ listen: config.registryListen, components: [registry], exposure: "public" });
  }
  const hosted: Component[] = [registry, analyzer, decision, executor, router].filter((c): c is NonNullable<typeof c> => c !== undefined);
  await runHost({
    name: "router",
    logger,
    components: hosted,
    servers,
    topology,
    // The front door (gRPC and Connect) and a co-located registry's port authenticate every call; in-process calls
    // between co-located services are modelrouter's own.
    authenticate: auth.authenticator(routerKeyVerifier(registryClient, config.auth.apiKeyCacheTtlMs)),
    tls,
    metrics,
    shutdownGraceMs: config.shutdownGraceMs,
    maxDeadlineMs: config.limits.maxDeadlineMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
