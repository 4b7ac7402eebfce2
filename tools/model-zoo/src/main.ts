import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { createLogger } from "@modelrouter/telemetry";
import { buildModelZoo } from "./zoo/build.js";
import { parseBuilderArgs } from "./zoo/parse-args.js";

/**
 * Rebuilds the model zoo into libs/model-zoo (or the folder given as the first argument).
 * Run: `node tools/model-zoo/dist/main.js [outDir] [--only digits,text,tabular,sensor,audio]`.
 */
const logger = createLogger({ service: "model-zoo-builder" });
try {
  const args = parseBuilderArgs(process.argv.slice(2));
  const outDir = resolve(args.outDir ?? fileURLToPath(new URL("../../../libs/model-zoo", import.meta.url)));
  await buildModelZoo({ outDir, logger, parts: args.parts });
} catch (error) {
  logger.error("model zoo build failed", { error });
  process.exitCode = 1;
}
