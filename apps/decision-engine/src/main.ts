import { startTelemetry } from "@modelrouter/telemetry/sdk";
import { DecisionService, RegistryService } from "@modelrouter/contracts";
import { startDecisionEngine } from "@modelrouter/decision-service";
import { MODELROUTER_VERSION, runHost, runMain } from "@modelrouter/host";
import { createGrpcChannel, createGrpcClient, serviceRegistration } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { loadConfig } from "./config.js";

runMain("decision-engine", async () => {
  const telemetry = startTelemetry({ serviceName: "decision-engine", serviceVersion: MODELROUTER_VERSION });
  const config = loadConfig(process.env);
  const logger = createLogger({ service: "decision-engine", level: config.logLevel });
  const channel = createGrpcChannel(config.registryAddress);
  const registry = createGrpcClient(RegistryService, channel, { defaultTimeoutMs: config.callTimeoutMs });
  const engine = startDecisionEngine(registry, logger);
  await runHost({
    name: "decision-engine",
    logger,
    listen: config.listen,
    services: [serviceRegistration(DecisionService, engine.impl)],
    readiness: { services: [DecisionService.typeName], ready: engine.ready },
    closeables: [
      { name: "registry channel", close: () => Promise.resolve(channel.close()) },
      { name: "catalogue sync", close: engine.close },
    ],
    shutdownGraceMs: config.shutdownGraceMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
