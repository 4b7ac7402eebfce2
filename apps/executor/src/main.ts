import { startTelemetry } from "@modelrouter/telemetry/sdk";
import { RegistryService } from "@modelrouter/contracts";
import { FAULTS_SETTING, describeFaults, startExecutor, withFaults } from "@modelrouter/executor-service";
import { createTopology, loadServiceAuth, loadServiceTls, MODELROUTER_VERSION, processCredentials, runHost, runMain } from "@modelrouter/host";
import { createExecutorMetrics, createServiceMetrics } from "@modelrouter/metrics";
import { createLogger } from "@modelrouter/telemetry";
import { loadConfig } from "./config.js";

runMain("executor", async () => {
  const telemetry = startTelemetry({ serviceName: "executor", serviceVersion: MODELROUTER_VERSION });
  const config = loadConfig(process.env, process.cwd());
  const logger = createLogger({ service: "executor", level: config.logLevel });
  const auth = await loadServiceAuth(config.auth, "executor", processCredentials(process.env));
  const tls = loadServiceTls(config.tls, logger);
  const topology = createTopology({ transport: "unary", callTimeoutMs: config.callTimeoutMs, headers: auth.internalHeaders, tls: tls.client });
  const registry = config.registryAddress === undefined ? undefined : topology.connect(RegistryService, config.registryAddress);
  const started = startExecutor(config.executor, logger, registry === undefined ? {} : { registry });
  if (config.faults.length > 0) {
    logger.warn(`FAULT INJECTION IS ON (${FAULTS_SETTING}): requests of these models fail or wait on purpose`, { faults: describeFaults(config.faults) });
  }
  const executor = config.faults.length === 0 ? started : { ...started, impl: withFaults(started.impl, config.faults) };
  if (config.oipHttpListen !== undefined) {
    const http = await executor.oip.serveHttp(config.oipHttpListen, { graceMs: config.shutdownGraceMs, inferTimeoutMs: config.callTimeoutMs, tls: tls.server });
    logger.info("serving the Open Inference Protocol over REST", { listen: config.oipHttpListen, port: http.port });
  }
  const metrics = config.metricsListen === undefined ? undefined : { listen: config.metricsListen, source: createServiceMetrics({ service: "executor" }) };
  if (metrics !== undefined) createExecutorMetrics(metrics.source.registry, () => executor.pool.stats());
  await runHost({
    name: "executor",
    logger,
    components: [executor, executor.oip],
    servers: [{ listen: config.listen, components: [executor, executor.oip], exposure: "internal" }],
    topology,
    authenticate: auth.authenticator(),
    tls,
    metrics,
    shutdownGraceMs: config.shutdownGraceMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
