import { startTelemetry } from "@modelrouter/telemetry/sdk";
import { startAnalyzer } from "@modelrouter/analyzer-service";
import { loadServiceAuth, loadServiceTls, MODELROUTER_VERSION, processCredentials, runHost, runMain } from "@modelrouter/host";
import { createServiceMetrics } from "@modelrouter/metrics";
import { createLogger } from "@modelrouter/telemetry";
import { loadConfig } from "./config.js";

runMain("analyzer", async () => {
  const telemetry = startTelemetry({ serviceName: "analyzer", serviceVersion: MODELROUTER_VERSION });
  const config = loadConfig(process.env);
  const logger = createLogger({ service: "analyzer", level: config.logLevel });
  const auth = await loadServiceAuth(config.auth, "analyzer", processCredentials(process.env));
  const tls = loadServiceTls(config.tls, logger);
  const analyzer = await startAnalyzer();
  const metrics = config.metricsListen === undefined ? undefined : { listen: config.metricsListen, source: createServiceMetrics({ service: "analyzer" }) };
  await runHost({
    name: "analyzer",
    logger,
    components: [analyzer],
    servers: [{ listen: config.listen, components: [analyzer], exposure: "internal" }],
    authenticate: auth.authenticator(),
    tls,
    metrics,
    shutdownGraceMs: config.shutdownGraceMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
