import { startTelemetry } from "@modelrouter/telemetry/sdk";
import type { DescService } from "@bufbuild/protobuf";
import {
  AnalyzerService,
  DecisionService,
  ExecutorService,
  RegistryService,
  RouterService,
} from "@modelrouter/contracts";
import { createAnalyzerService, createLanguageDetector } from "@modelrouter/analyzer-service";
import { startDecisionEngine } from "@modelrouter/decision-service";
import { startExecutor } from "@modelrouter/executor-service";
import { MODELROUTER_VERSION, runHost, runMain, type Closeable } from "@modelrouter/host";
import { startRegistry } from "@modelrouter/registry-service";
import { createRouterService } from "@modelrouter/router-service";
import {
  createDirectClient,
  createGrpcChannel,
  createGrpcClient,
  createTunnel,
  createTunnelClient,
  serviceRegistration,
  type Tunnel,
  type ServiceClient,
  type ServiceImpl,
  type ServiceRegistration,
} from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { loadConfig, type Colocatable } from "./config.js";

runMain("router", async () => {
  const telemetry = startTelemetry({ serviceName: "router", serviceVersion: MODELROUTER_VERSION });
  const config = loadConfig(process.env, process.cwd());
  const logger = createLogger({ service: "router", level: config.logLevel });
  const onUnexpectedError = (error: unknown): void => logger.error("handler failed unexpectedly (a bug)", { error });

  const services: ServiceRegistration[] = [];
  const closeables: Closeable[] = [];
  const readiness: { services: string[]; ready: Promise<void>[] } = { services: [], ready: [] };
  const tunnels = new Map<string, Tunnel>();

  const remote = <S extends DescService>(service: S, address: string): ServiceClient<S> => {
    let tunnel = tunnels.get(address);
    if (tunnel === undefined) {
      tunnel = createTunnel(createGrpcChannel(address));
      tunnels.set(address, tunnel);
    }
    const options = { defaultTimeoutMs: config.callTimeoutMs };
    return config.internalTransport === "tunnel"
      ? createTunnelClient(service, tunnel, options)
      : createGrpcClient(service, tunnel.channel, options);
  };
  const local = <S extends DescService>(service: S, impl: ServiceImpl<S>): ServiceClient<S> => {
    services.push(serviceRegistration(service, impl));
    return createDirectClient(service, impl, { defaultTimeoutMs: config.callTimeoutMs, onUnexpectedError });
  };

  let registry: ServiceClient<typeof RegistryService>;
  if (config.registry !== undefined) {
    const component = await startRegistry(config.registry, logger.child({ component: "registry" }));
    closeables.push({ name: "registry store", close: component.close });
    registry = local(RegistryService, component.impl);
  } else {
    registry = remote(RegistryService, config.addresses.registry);
  }

  const analyzer = config.colocate.has("analyzer")
    ? local(AnalyzerService, createAnalyzerService({ languageDetector: await createLanguageDetector() }))
    : remote(AnalyzerService, config.addresses.analyzer);

  let decision: ServiceClient<typeof DecisionService>;
  if (config.colocate.has("decision-engine")) {
    const engine = startDecisionEngine(registry, logger.child({ component: "decision-engine" }));
    closeables.push({ name: "catalogue sync", close: engine.close });
    readiness.services.push(DecisionService.typeName);
    readiness.ready.push(engine.ready);
    decision = local(DecisionService, engine.impl);
  } else {
    decision = remote(DecisionService, config.addresses["decision-engine"]);
  }

  let executor: ServiceClient<typeof ExecutorService>;
  if (config.executor !== undefined) {
    const component = startExecutor(config.executor, logger.child({ component: "executor" }));
    closeables.push({ name: "worker pool", close: component.close });
    readiness.services.push(ExecutorService.typeName);
    readiness.ready.push(component.ready);
    executor = local(ExecutorService, component.impl);
  } else {
    executor = remote(ExecutorService, config.addresses.executor);
  }

  const router = createRouterService({
    analyzer,
    decision,
    executor,
    registry,
    logger,
    limits: config.limits,
    decisionLog: config.decisionLog,
  });
  const routerService = serviceRegistration(RouterService, router.impl);
  // Closed in reverse: first the recorder drains into the registry, then the components, then the channels.
  closeables.unshift({
    name: "channels",
    close: async () => {
      for (const tunnel of tunnels.values()) {
        tunnel.close();
        tunnel.channel.close();
      }
    },
  });
  closeables.push({ name: "decision recorder", close: () => router.recorder.close() });
  if (readiness.services.length > 0) readiness.services.push(RouterService.typeName);
  logger.info("topology", {
    transport: config.internalTransport,
    colocated: [...config.colocate].join(",") || "none",
    remote: Object.entries(config.addresses)
      .filter(([name]) => !config.colocate.has(name as Colocatable))
      .map(([name, address]) => `${name}=${address}`)
      .join(","),
  });

  await runHost({
    name: "router",
    logger,
    listen: config.listen,
    services: [routerService, ...services],
    ...(config.httpListen === undefined ? {} : { http: { listen: config.httpListen, services: [routerService] } }),
    ...(readiness.services.length === 0
      ? {}
      : { readiness: { services: readiness.services, ready: Promise.all(readiness.ready).then(() => undefined) } }),
    closeables,
    shutdownGraceMs: config.shutdownGraceMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
