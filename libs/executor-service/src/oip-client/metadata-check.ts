import { describeInput, fitDims, formatShape, type InputInfo } from "../model-input.js";
import { type CompiledPreprocessing, preprocessedDims } from "../preprocess/compile-preprocessing.js";
import { SUPPORTED_DATATYPES, elementTypeOf } from "../oip-datatypes.js";
import type { OipModelMetadata, OipTensorMetadata } from "./oip-types.js";

/** A remote model that passed the load check: the input and output to use, and what the input takes. */
export interface CheckedModel {
  readonly inputName: string;
  readonly outputName: string;
  readonly input: InputInfo;
}

/** The input the executor sees in a server's tensor metadata: its datatype as a tensor type, -1 as a free dimension. */
export function inputInfoOf(tensor: OipTensorMetadata): InputInfo {
  return { name: tensor.name, type: elementTypeOf(tensor.datatype) ?? tensor.datatype, shape: tensor.shape.map((d) => (d < 0 ? "" : d)) };
}

/**
 * Checks a server's metadata of a model against its registration: the input and output named by the backend
 * exist (empty: the first is taken), the input has a datatype the executor sends and, when a pre-processing
 * makes the tensor, takes its float32 shape. Returns the checked model, or the problem as a sentence naming the
 * field to fix (`backend.oip.input_name`, `backend.oip.preprocessing`, …).
 */
export function checkModelMetadata(
  metadata: OipModelMetadata,
  wanted: { readonly inputName: string; readonly outputName: string },
  preprocessing: CompiledPreprocessing | undefined,
): CheckedModel | string {
  const names = (list: readonly OipTensorMetadata[]) => list.map((t) => `"${t.name}"`).join(", ") || "none";
  const input = wanted.inputName === "" ? metadata.inputs[0] : metadata.inputs.find((t) => t.name === wanted.inputName);
  if (input === undefined) {
    return wanted.inputName === ""
      ? "the server lists no inputs for the model"
      : `backend.oip.input_name "${wanted.inputName}" is not an input of the model; its inputs are ${names(metadata.inputs)}`;
  }
  const output = wanted.outputName === "" ? metadata.outputs[0] : metadata.outputs.find((t) => t.name === wanted.outputName);
  if (output === undefined) {
    return wanted.outputName === ""
      ? "the server lists no outputs for the model"
      : `backend.oip.output_name "${wanted.outputName}" is not an output of the model; its outputs are ${names(metadata.outputs)}`;
  }
  if (elementTypeOf(input.datatype) === undefined) {
    return `its input "${input.name}" has datatype ${input.datatype}; the executor sends ${SUPPORTED_DATATYPES.join(", ")}`;
  }
  const info = inputInfoOf(input);
  if (preprocessing !== undefined && !(preprocessing.kind === "series" && preprocessing.spec.field === "")) {
    const dims = preprocessedDims(preprocessing);
    if (info.type !== "float32" || fitDims(dims, info) === undefined) {
      return `backend.oip.preprocessing (${preprocessing.kind}) makes a float32 ${formatShape(dims)} tensor but the model's input "${input.name}" takes ${describeInput(info)} (${input.datatype} ${formatShape(input.shape)})`;
    }
  }
  return { inputName: input.name, outputName: output.name, input: info };
}
