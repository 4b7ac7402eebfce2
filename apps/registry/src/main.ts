import { startTelemetry } from "@modelrouter/telemetry/sdk";
import { MODELROUTER_VERSION, runHost, runMain } from "@modelrouter/host";
import { startRegistry } from "@modelrouter/registry-service";
import { createLogger } from "@modelrouter/telemetry";
import { loadConfig } from "./config.js";

runMain("registry", async () => {
  const telemetry = startTelemetry({ serviceName: "registry", serviceVersion: MODELROUTER_VERSION });
  const config = loadConfig(process.env, process.cwd());
  const logger = createLogger({ service: "registry", level: config.logLevel });
  const registry = await startRegistry(config.registry, logger);
  await runHost({
    name: "registry",
    logger,
    components: [registry],
    servers: [{ listen: config.listen, components: [registry], exposure: "public" }],
    shutdownGraceMs: config.shutdownGraceMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
