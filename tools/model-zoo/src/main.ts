import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { createLogger } from "@modelrouter/telemetry";
import { buildModelZoo } from "./zoo/build.js";

/**
 * Rebuilds the model zoo into libs/model-zoo (or the folder given as the first argument).
 * Run: `node tools/model-zoo/dist/main.js [outDir]`.
 */
const logger = createLogger({ service: "model-zoo-builder" });
const outDir = resolve(process.argv[2] ?? fileURLToPath(new URL("../../../libs/model-zoo", import.meta.url)));
try {
  await buildModelZoo({ outDir, logger });
} catch (error) {
  logger.error("model zoo build failed", { error });
  process.exitCode = 1;
}
