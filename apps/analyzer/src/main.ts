import { startTelemetry } from "@modelrouter/telemetry/sdk";
import { AnalyzerService } from "@modelrouter/contracts";
import { createAnalyzerService, createLanguageDetector } from "@modelrouter/analyzer-service";
import { MODELROUTER_VERSION, runHost, runMain } from "@modelrouter/host";
import { serviceRegistration } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { loadConfig } from "./config.js";

runMain("analyzer", async () => {
  const telemetry = startTelemetry({ serviceName: "analyzer", serviceVersion: MODELROUTER_VERSION });
  const config = loadConfig(process.env);
  const logger = createLogger({ service: "analyzer", level: config.logLevel });
  const languageDetector = await createLanguageDetector();
  await runHost({
    name: "analyzer",
    logger,
    listen: config.listen,
    services: [serviceRegistration(AnalyzerService, createAnalyzerService({ languageDetector }))],
    closeables: [],
    shutdownGraceMs: config.shutdownGraceMs,
    flushTelemetry: () => telemetry.shutdown(2000),
  });
});
