import { startTelemetry } from "@modelrouter/telemetry/sdk";
import { RegistryService } from "@modelrouter/contracts";
import { MODELROUTER_VERSION, runHost, runMain } from "@modelrouter/host";
import { startRegistry } from "@modelrouter/registry-service";
import { serviceRegistration } from "@modelrouter/rpc-kit";
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
    listen: config.listen,
    services: [serviceRegistration(RegistryService, registry.impl)],
    closeables: [{ name: "registry store", close: registry.close }],
    shutdownGraceMs: config.shutdownGraceMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
