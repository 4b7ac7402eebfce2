import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The package folder (libs/model-zoo), from this module's URL: it sits one level down, in src/ or dist/. */
function packageDir(): string {
  return fileURLToPath(new URL("..", import.meta.url));
}

/**
 * Absolute path of the folder holding one sub-folder per model (`<name>/model.onnx`, `<name>/MODEL_CARD.md`).
 * It is the executor's default model root: catalogue URIs such as `digits-general/model.onnx` are relative
 * to it.
 */
export function modelZooDir(): string {
  return join(packageDir(), "models");
}

/** Absolute path of the demo catalogue: `models/<name>.yaml` and `policies/<name>.yaml`. */
export function catalogueDir(): string {
  return join(packageDir(), "catalogue");
}

/** Absolute path of the sample images (`index.json`, `*.png`) and evaluation sets (`eval/*.json.gz`). */
export function samplesDir(): string {
  return join(packageDir(), "samples");
}
