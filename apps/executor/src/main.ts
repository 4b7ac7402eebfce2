import { startTelemetry } from "@modelrouter/telemetry/sdk";
import { startExecutor } from "@modelrouter/executor-service";
import { MODELROUTER_VERSION, runHost, runMain } from "@modelrouter/host";
import { createLogger } from "@modelrouter/telemetry";
import { loadConfig } from "./config.js";

runMain("executor", async () => {
  const telemetry = startTelemetry({ serviceName: "executor", serviceVersion: MODELROUTER_VERSION });
  const config = loadConfig(process.env, process.cwd());
  const logger = createLogger({ service: "executor", level: config.logLevel });
  const executor = startExecutor(config.executor, logger);
  await runHost({
    name: "executor",
    logger,
    components: [executor],
    servers: [{ listen: config.listen, components: [executor], exposure: "internal" }],
    shutdownGraceMs: config.shutdownGraceMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
