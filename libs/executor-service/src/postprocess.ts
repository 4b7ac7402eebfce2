import type { DomainError } from "@modelrouter/errors";
import { modelUnavailable } from "./model-errors.js";
import type { LabelScore, ModelSource, OutputSpec, TaskOutput, TensorDataType, TensorValues } from "./worker-protocol.js";

/** A model output as ONNX Runtime returns it. */
export interface RawOutput {
  readonly name: string;
  /** ONNX Runtime's type name, for example "float32". */
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

const returnable: ReadonlySet<string> = new Set<TensorDataType>(["float32", "float64", "int32", "int64", "uint8", "bool"]);

/**
 * Turns a model output into an answer: ranked labels for a classification spec (softmax first if asked,
 * then the `topK` best, best first, ties in class order; a single score with two labels is a binary model's
 * logit: the positive (second) label scores its sigmoid, the negative one 1 − that, whatever `softmax` says);
 * one number, value × scale + offset with its unit, for a regression spec; else the raw tensor.
 *
 * @throws DomainError MODEL_UNAVAILABLE when the output cannot be read as configured (a type the executor
 *   cannot return, a score count that differs from the number of labels, a regression output that is not one
 *   finite number): the registration is wrong, and another model may serve the request.
 */
export function postprocess(output: RawOutput, spec: OutputSpec, model: ModelSource): TaskOutput {
  const misfit = (problem: string): DomainError => modelUnavailable(model, problem, { metadata: { output: output.name } });
  if (!returnable.has(output.type) || !isTensorValues(output.data)) {
    throw misfit(`its output "${output.name}" has type ${output.type}, which the executor cannot return`);
  }
  const values = output.data;
  if (spec.kind === "tensor") {
    return { kind: "tensor", name: output.name, dataType: output.type as TensorDataType, shape: [...output.dims], values };
  }
  const scores = Array.from(values as ArrayLike<number | bigint>, Number);
  if (spec.kind === "regression") {
    const [value] = scores;
    if (scores.length !== 1 || value === undefined) {
      throw misfit(`its output "${output.name}" has ${scores.length} values, but regression reads one ([1, 1])`);
    }
    if (!Number.isFinite(value)) throw misfit(`its output "${output.name}" is ${value}, not a finite number`);
    return { kind: "regression", name: output.name, value: value * spec.scale + spec.offset, unit: spec.unit };
  }
  if (scores.length === 1 && spec.labels.length === 2) {
    const p = sigmoid(scores[0] ?? 0);
    return { kind: "classification", name: output.name, labels: rank([1 - p, p], { ...spec, softmax: false }) };
  }
  if (spec.labels.length > 0 && scores.length !== spec.labels.length) {
    throw misfit(
      `its output "${output.name}" has ${scores.length} scores but the backend lists ${spec.labels.length} labels`,
    );
  }
  return { kind: "classification", name: output.name, labels: rank(scores, spec) };
}

/** The logistic sigmoid 1 / (1 + e^−x), computed without overflow for any x. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Softmax of a score vector, computed stably (the maximum is subtracted first). */
export function softmax(scores: readonly number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function rank(raw: readonly number[], spec: Extract<OutputSpec, { kind: "classification" }>): LabelScore[] {
  const scores = spec.softmax ? softmax(raw) : raw;
  const ranked = scores
    .map((score, index) => ({ index, score }))
    .sort((a, b) => b.score - a.score || a.index - b.index);
  const top = spec.topK > 0 ? ranked.slice(0, spec.topK) : ranked;
  return top.map(({ index, score }) => ({ label: spec.labels[index] ?? String(index), score }));
}

function isTensorValues(data: unknown): data is TensorValues {
  return (
    data instanceof Float32Array ||
    data instanceof Float64Array ||
    data instanceof Int32Array ||
    data instanceof BigInt64Array ||
    data instanceof Uint8Array
  );
}
