import { join } from "node:path";
import type { ClassificationPostprocessing, ImagePreprocessing } from "@modelrouter/contracts";
import { loadDemoModels, modelZooDir } from "@modelrouter/model-zoo";
import { EXPECTED_MODEL } from "../grpc/payloads.js";

/** What a bare model server needs to serve the benchmark's model, read from the zoo's catalogue. */
export interface BenchModel {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the `.onnx` file. */
  readonly onnxPath: string;
  readonly inputName: string;
  readonly outputName: string;
  readonly preprocessing: ImagePreprocessing;
  readonly postprocessing: ClassificationPostprocessing;
}

/**
 * The model the benchmark request is routed to (`digits-lowres-specialist`), as the zoo registers it: its ONNX
 * file under the zoo's model root, input and output names, image pre-processing and classification
 * post-processing. Throws when the catalogue no longer describes it as an ONNX image classifier with its input and
 * output named.
 */
export function loadBenchModel(): BenchModel {
  const model = loadDemoModels().find((m) => m.name === EXPECTED_MODEL);
  const onnx = model?.backend?.kind.case === "onnx" ? model.backend.kind.value : undefined;
  const image = onnx?.preprocessing?.kind.case === "image" ? onnx.preprocessing.kind.value : undefined;
  const classification = onnx?.postprocessing?.kind.case === "classification" ? onnx.postprocessing.kind.value : undefined;
  if (model === undefined || onnx === undefined || image === undefined || classification === undefined || onnx.inputName === "" || onnx.outputName === "") {
    throw new Error(`the model zoo has no ONNX image classifier ${EXPECTED_MODEL} with named input and output (libs/model-zoo/catalogue/models)`);
  }
  return {
    name: model.name,
    version: model.version,
    onnxPath: join(modelZooDir(), onnx.uri),
    inputName: onnx.inputName,
    outputName: onnx.outputName,
    preprocessing: image,
    postprocessing: classification,
  };
}
