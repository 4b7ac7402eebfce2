import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { PreprocessingSchema, type Preprocessing } from "@modelrouter/contracts";
import {
  audioFeatures,
  audioFrames,
  compileAudioSpec,
  compileSeriesSpec,
  compileTabularSpec,
  compileTextSpec,
  seriesFeatures,
  seriesWidth,
  tabularFeatures,
  tabularWidth,
  textFeatures,
} from "@modelrouter/executor-service";
import type { Payload } from "../data/payload.js";

/** Makes a model's input from a payload, with the executor's own preprocessing functions. */
export interface Featurizer {
  /** One sample's shape without the batch dimension, for example [4096] or [1, 98, 32]. */
  readonly sampleShape: readonly number[];
  features(payload: Payload): Float32Array;
}

type Compiled<S> = { spec: S } | { violations: readonly { field: string; description: string }[] };

function specOf<S>(compiled: Compiled<S>, what: string): S {
  if ("spec" in compiled) return compiled.spec;
  throw new Error(`${what}: ${compiled.violations.map((v) => `${v.field}: ${v.description}`).join("; ")}`);
}

function payloadText(payload: Payload): string {
  if ("text" in payload) return payload.text;
  throw new Error("a text model needs a text payload");
}

function payloadJson(payload: Payload): unknown {
  if ("json" in payload) return payload.json;
  throw new Error("this model needs a JSON payload");
}

function payloadAudio(payload: Payload): Uint8Array {
  if ("audio" in payload) return payload.audio;
  throw new Error("an audio model needs a WAV payload");
}

/**
 * The featurizer of a model's catalogue preprocessing: compiled with the executor's `compile*Spec` and applied
 * with its `*Features` function, exactly as the executor serves the model.
 */
export function featurizerFor(name: string, init: MessageInitShape<typeof PreprocessingSchema>): Featurizer {
  const preprocessing: Preprocessing = create(PreprocessingSchema, init);
  const kind = preprocessing.kind;
  const what = `${name}: preprocessing.${kind.case ?? "kind"}`;
  switch (kind.case) {
    case "text": {
      const text = specOf(compileTextSpec(kind.value), what);
      return { sampleShape: [kind.value.buckets], features: (p) => textFeatures(payloadText(p), text) };
    }
    case "tabular": {
      const tabular = specOf(compileTabularSpec(kind.value), what);
      return { sampleShape: [tabularWidth(tabular)], features: (p) => tabularFeatures(payloadJson(p), tabular) };
    }
    case "series": {
      const series = specOf(compileSeriesSpec(kind.value), what);
      const field = kind.value.field;
      return {
        sampleShape: [seriesWidth(series)],
        features: (p) => {
          const record = payloadJson(p) as Record<string, unknown>;
          return seriesFeatures(record[field] as number[], series, `payload.json.${field}`);
        },
      };
    }
    case "audio": {
      const audio = specOf(compileAudioSpec(kind.value), what);
      return { sampleShape: [1, audioFrames(audio), kind.value.melBands], features: (p) => audioFeatures(payloadAudio(p), audio) };
    }
    default:
      throw new Error(`${what}: the family builder makes text, tabular, series and audio inputs only`);
  }
}
