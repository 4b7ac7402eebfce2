import { startTelemetry } from "@modelrouter/telemetry/sdk";
import { RegistryService } from "@modelrouter/contracts";
import { startDecisionEngine } from "@modelrouter/decision-service";
import { createTopology, loadServiceAuth, loadServiceTls, MODELROUTER_VERSION, processCredentials, runHost, runMain } from "@modelrouter/host";
import { createServiceMetrics } from "@modelrouter/metrics";
import { createLogger } from "@modelrouter/telemetry";
import { loadConfig } from "./config.js";

runMain("decision-engine", async () => {
  const telemetry = startTelemetry({ serviceName: "decision-engine", serviceVersion: MODELROUTER_VERSION });
  const config = loadConfig(process.env);
  const logger = createLogger({ service: "decision-engine", level: config.logLevel });
  const auth = await loadServiceAuth(config.auth, "decision-engine", processCredentials(process.env));
  const tls = loadServiceTls(config.tls, logger);
  const topology = createTopology({ transport: "unary", callTimeoutMs: config.callTimeoutMs, headers: auth.internalHeaders, tls: tls.client });
  const engine = startDecisionEngine(topology.connect(RegistryService, config.registryAddress), logger, {
    liveStats: { windowMs: config.statsWindowMs, intervalMs: config.statsIntervalMs },
    health: { windowMs: config.healthWindowMs },
    bandits: { intervalMs: config.banditIntervalMs },
  });
  const metrics = config.metricsListen === undefined ? undefined : { listen: config.metricsListen, source: createServiceMetrics({ service: "decision-engine" }) };
  await runHost({
    name: "decision-engine",
    logger,
    components: [engine],
    servers: [{ listen: config.listen, components: [engine], exposure: "internal" }],
    topology,
    authenticate: auth.authenticator(),
    tls,
    metrics,
    shutdownGraceMs: config.shutdownGraceMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
