import { startTelemetry } from "@modelrouter/telemetry/sdk";
import { loadServiceAuth, loadServiceTls, MODELROUTER_VERSION, processCredentials, runHost, runMain } from "@modelrouter/host";
import { startRegistry } from "@modelrouter/registry-service";
import { createServiceMetrics } from "@modelrouter/metrics";
import { createLogger } from "@modelrouter/telemetry";
import { loadConfig } from "./config.js";

runMain("registry", async () => {
  const telemetry = startTelemetry({ serviceName: "registry", serviceVersion: MODELROUTER_VERSION });
  const config = loadConfig(process.env, process.cwd());
  const logger = createLogger({ service: "registry", level: config.logLevel });
  const credentials = processCredentials(process.env);
  const auth = await loadServiceAuth(config.auth, "registry", credentials);
  const tls = loadServiceTls(config.tls, logger);
  const registry = await startRegistry(config.registry, logger, credentials);
  const metrics = config.metricsListen === undefined ? undefined : { listen: config.metricsListen, source: createServiceMetrics({ service: "registry" }) };
  await runHost({
    name: "registry",
    logger,
    components: [registry],
    servers: [{ listen: config.listen, components: [registry], exposure: "public" }],
    authenticate: auth.authenticator(registry.verifyApiKey),
    tls,
    metrics,
    shutdownGraceMs: config.shutdownGraceMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
