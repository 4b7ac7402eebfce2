import { startTelemetry } from "@modelrouter/telemetry/sdk";
import { RegistryService } from "@modelrouter/contracts";
import { startExecutor } from "@modelrouter/executor-service";
import { createTopology, MODELROUTER_VERSION, runHost, runMain } from "@modelrouter/host";
import { createLogger } from "@modelrouter/telemetry";
import { loadConfig } from "./config.js";

runMain("executor", async () => {
  const telemetry = startTelemetry({ serviceName: "executor", serviceVersion: MODELROUTER_VERSION });
  const config = loadConfig(process.env, process.cwd());
  const logger = createLogger({ service: "executor", level: config.logLevel });
  const topology = createTopology({ transport: "unary", callTimeoutMs: config.callTimeoutMs });
  const registry = config.registryAddress === undefined ? undefined : topology.connect(RegistryService, config.registryAddress);
  const executor = startExecutor(config.executor, logger, registry === undefined ? {} : { registry });
  await runHost({
    name: "executor",
    logger,
    components: [executor],
    servers: [{ listen: config.listen, components: [executor], exposure: "internal" }],
    topology,
    shutdownGraceMs: config.shutdownGraceMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
