import type { Preprocessing } from "@modelrouter/contracts";
import type { FieldViolation, Violations } from "@modelrouter/errors";
import {
  type AudioSpec,
  type SeriesSpec,
  type TabularSpec,
  type TextSpec,
  compileAudioSpec,
  compileSeriesSpec,
  compileTabularSpec,
  compileTextSpec,
  seriesWidth,
  tabularWidth,
} from "@modelrouter/syntax";
import { compileImageSpec } from "../image-spec.js";
import { imageTensorDims } from "../image-tensor.js";
import type { ImageSpec } from "../worker-protocol.js";

/** A model's declared pre-processing, checked and with its defaults resolved. */
export type CompiledPreprocessing =
  | { readonly kind: "image"; readonly spec: ImageSpec }
  | { readonly kind: "text"; readonly spec: TextSpec }
  | { readonly kind: "tabular"; readonly spec: TabularSpec }
  | { readonly kind: "audio"; readonly spec: AudioSpec }
  | { readonly kind: "series"; readonly spec: SeriesSpec };

type Compiled<S> = { readonly spec: S } | { readonly violations: readonly FieldViolation[] };

/**
 * Checks a `Preprocessing` (whichever kind is set) and resolves its defaults, adding every problem to `v` under
 * `path` (for example `backend.onnx.preprocessing.text.buckets`). Returns undefined when there is a problem.
 */
export function compilePreprocessing(pre: Preprocessing, path: string, v: Violations): CompiledPreprocessing | undefined {
  const kind = pre.kind;
  switch (kind.case) {
    case "image":
      return settle("image", compileImageSpec(kind.value), `${path}.image`, v);
    case "text":
      return settle("text", compileTextSpec(kind.value), `${path}.text`, v);
    case "tabular":
      return settle("tabular", compileTabularSpec(kind.value), `${path}.tabular`, v);
    case "audio":
      return settle("audio", compileAudioSpec(kind.value), `${path}.audio`, v);
    case "series":
      return settle("series", compileSeriesSpec(kind.value), `${path}.series`, v);
    default:
      v.add(path, "is empty: set one kind (image, text, tabular, audio or series), or leave it out for tensor payloads");
      return undefined;
  }
}

function settle<K extends CompiledPreprocessing["kind"]>(
  kind: K,
  compiled: Compiled<Extract<CompiledPreprocessing, { kind: K }>["spec"]>,
  path: string,
  v: Violations,
): CompiledPreprocessing | undefined {
  if ("violations" in compiled) {
    v.addAll(path, compiled.violations);
    return undefined;
  }
  return { kind, spec: compiled.spec } as CompiledPreprocessing;
}

/** The shape of the float32 tensor a pre-processing makes. */
export function preprocessedDims(pre: CompiledPreprocessing): number[] {
  switch (pre.kind) {
    case "image":
      return imageTensorDims(pre.spec);
    case "text":
      return [1, pre.spec.buckets];
    case "tabular":
      return [1, tabularWidth(pre.spec)];
    case "audio":
      return [1, 1, pre.spec.frames, pre.spec.melBands];
    case "series":
      return [1, seriesWidth(pre.spec)];
  }
}
