import type {
  AudioProfile,
  FieldProfile,
  ImageProfile,
  InputProfile,
  RequestContext,
  TabularProfile,
  TensorProfile,
  TextProfile,
} from "@modelrouter/contracts";
import { dataTypeName, modalityName } from "./modality-names.js";

/**
 * The runtime values of the policy language's variables. Each class is registered with cel-js as a message
 * type whose fields are declared in {@link celTypes}, so expressions are type-checked against exactly these
 * fields, and a request's values are converted once (ints to bigint, maps to `Map`) and then shared by every
 * expression evaluated for that request. Absent sub-profiles become zero values.
 */

/** An int of the policy language (a CEL int is a bigint); anything that is not a finite number becomes 0. */
function int(value: number | undefined): bigint {
  if (value === undefined || !Number.isFinite(value)) return 0n;
  return BigInt(Math.trunc(value));
}

function double(value: number | undefined): number {
  return value === undefined || Number.isNaN(value) ? 0 : value;
}

function stringMap(record: Readonly<Record<string, string>> | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (record !== undefined) for (const key in record) map.set(key, record[key] as string);
  return map;
}

/** `input.image`. */
export class ImageValue {
  readonly format: string;
  readonly width: bigint;
  readonly height: bigint;
  readonly channels: bigint;
  readonly bit_depth: bigint;
  readonly color: string;
  readonly min_side: bigint;
  readonly sharpness: number;
  readonly pixels_analyzed: bigint;
  constructor(p: ImageProfile | undefined) {
    this.format = p?.format ?? "";
    this.width = int(p?.width);
    this.height = int(p?.height);
    this.channels = int(p?.channels);
    this.bit_depth = int(p?.bitDepth);
    this.color = p?.color ?? "";
    this.min_side = int(p?.minSide);
    this.sharpness = double(p?.sharpness);
    this.pixels_analyzed = int(p?.pixelsAnalyzed);
  }
}

/** `input.audio`. */
export class AudioValue {
  readonly format: string;
  readonly sample_rate_hz: bigint;
  readonly channels: bigint;
  readonly bits_per_sample: bigint;
  readonly duration_seconds: number;
  readonly rms_dbfs: number;
  readonly peak_dbfs: number;
  readonly speech_ratio: number;
  readonly analyzed_seconds: number;
  constructor(p: AudioProfile | undefined) {
    this.format = p?.format ?? "";
    this.sample_rate_hz = int(p?.sampleRateHz);
    this.channels = int(p?.channels);
    this.bits_per_sample = int(p?.bitsPerSample);
    this.duration_seconds = double(p?.durationSeconds);
    this.rms_dbfs = double(p?.rmsDbfs);
    this.peak_dbfs = double(p?.peakDbfs);
    this.speech_ratio = double(p?.speechRatio);
    this.analyzed_seconds = double(p?.analyzedSeconds);
  }
}

/** `input.text`. */
export class TextValue {
  readonly length: bigint;
  readonly word_count: bigint;
  readonly language: string;
  readonly language_confidence: number;
  readonly script: string;
  readonly token_estimate: bigint;
  readonly line_count: bigint;
  constructor(p: TextProfile | undefined) {
    this.length = int(p?.length);
    this.word_count = int(p?.wordCount);
    this.language = p?.language ?? "";
    this.language_confidence = double(p?.languageConfidence);
    this.script = p?.script ?? "";
    this.token_estimate = int(p?.tokenEstimate);
    this.line_count = int(p?.lineCount);
  }
}

/** One value of `input.tabular.fields`. */
export class FieldValue {
  readonly type: string;
  readonly present_count: bigint;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly min_length: bigint;
  readonly max_length: bigint;
  constructor(p: FieldProfile | undefined) {
    this.type = p?.type ?? "";
    this.present_count = int(p?.presentCount);
    this.min = double(p?.min);
    this.max = double(p?.max);
    this.mean = double(p?.mean);
    this.min_length = int(p?.minLength);
    this.max_length = int(p?.maxLength);
  }
}

/** `input.tabular`. */
export class TabularValue {
  readonly row_count: bigint;
  readonly fields: Map<string, FieldValue>;
  constructor(p: TabularProfile | undefined) {
    this.row_count = int(p?.rowCount);
    this.fields = new Map(
      p === undefined ? [] : Object.entries(p.fields ?? {}).map(([name, field]) => [name, new FieldValue(field)]),
    );
  }
}

/** `input.tensor`. */
export class TensorValue {
  readonly data_type: string;
  readonly shape: bigint[];
  readonly element_count: bigint;
  constructor(p: TensorProfile | undefined) {
    this.data_type = p === undefined ? "" : dataTypeName(p.dataType);
    this.shape = (p?.shape ?? []).map(int);
    this.element_count = int(p?.elementCount);
  }
}

/**
 * The zero values of absent sub-profiles, shared by every request: expressions cannot change a value, so one
 * instance of each serves them all.
 */
const ABSENT = {
  image: new ImageValue(undefined),
  audio: new AudioValue(undefined),
  text: new TextValue(undefined),
  tabular: new TabularValue(undefined),
  tensor: new TensorValue(undefined),
};

/** `input`: the analyzer's profile of the payload. */
export class InputValue {
  readonly modality: string;
  readonly mime_type: string;
  readonly declared_mime_type: string;
  readonly size_bytes: bigint;
  readonly image: ImageValue;
  readonly audio: AudioValue;
  readonly text: TextValue;
  readonly tabular: TabularValue;
  readonly tensor: TensorValue;
  readonly metadata: Map<string, string>;
  readonly warnings: string[];
  constructor(p: InputProfile) {
    this.modality = modalityName(p.modality);
    this.mime_type = p.mimeType ?? "";
    this.declared_mime_type = p.declaredMimeType ?? "";
    this.size_bytes = int(p.sizeBytes);
    this.image = p.image === undefined ? ABSENT.image : new ImageValue(p.image);
    this.audio = p.audio === undefined ? ABSENT.audio : new AudioValue(p.audio);
    this.text = p.text === undefined ? ABSENT.text : new TextValue(p.text);
    this.tabular = p.tabular === undefined ? ABSENT.tabular : new TabularValue(p.tabular);
    this.tensor = p.tensor === undefined ? ABSENT.tensor : new TensorValue(p.tensor);
    this.metadata = stringMap(p.metadata);
    this.warnings = [...(p.warnings ?? [])];
  }
}

/** `request`: what the caller told the router about itself. */
export class RequestValue {
  readonly metadata: Map<string, string>;
  readonly tenant: string;
  readonly tier: string;
  readonly user_id: string;
  readonly request_id: string;
  readonly deadline_ms: bigint;
  constructor(c: RequestContext | undefined) {
    this.metadata = stringMap(c?.metadata);
    this.tenant = c?.tenant ?? "";
    this.tier = c?.tier ?? "";
    this.user_id = c?.userId ?? "";
    this.request_id = c?.requestId ?? "";
    const timeout = c?.timeout;
    this.deadline_ms =
      timeout === undefined ? 0n : timeout.seconds * 1000n + BigInt(Math.trunc(timeout.nanos / 1_000_000));
  }
}

/** A CEL message type: its name in the language, its runtime class, and its declared fields. */
export interface CelTypeDeclaration {
  readonly name: string;
  readonly ctor: abstract new (...args: never[]) => object;
  readonly fields: Readonly<Record<string, string>>;
}

/** The message types of the policy language, in dependency order (a type before the types that use it). */
export function celTypes(): readonly CelTypeDeclaration[] {
  return [
    {
      name: "ImageProfile",
      ctor: ImageValue,
      fields: {
        format: "string",
        width: "int",
        height: "int",
        channels: "int",
        bit_depth: "int",
        color: "string",
        min_side: "int",
        sharpness: "double",
        pixels_analyzed: "int",
      },
    },
    {
      name: "AudioProfile",
      ctor: AudioValue,
      fields: {
        format: "string",
        sample_rate_hz: "int",
        channels: "int",
        bits_per_sample: "int",
        duration_seconds: "double",
        rms_dbfs: "double",
        peak_dbfs: "double",
        speech_ratio: "double",
        analyzed_seconds: "double",
      },
    },
    {
      name: "TextProfile",
      ctor: TextValue,
      fields: {
        length: "int",
        word_count: "int",
        language: "string",
        language_confidence: "double",
        script: "string",
        token_estimate: "int",
        line_count: "int",
      },
    },
    {
      name: "FieldProfile",
      ctor: FieldValue,
      fields: {
        type: "string",
        present_count: "int",
        min: "double",
        max: "double",
        mean: "double",
        min_length: "int",
        max_length: "int",
      },
    },
    { name: "TabularProfile", ctor: TabularValue, fields: { row_count: "int", fields: "map<string, FieldProfile>" } },
    { name: "TensorProfile", ctor: TensorValue, fields: { data_type: "string", shape: "list<int>", element_count: "int" } },
    {
      name: "Input",
      ctor: InputValue,
      fields: {
        modality: "string",
        mime_type: "string",
        declared_mime_type: "string",
        size_bytes: "int",
        image: "ImageProfile",
        audio: "AudioProfile",
        text: "TextProfile",
        tabular: "TabularProfile",
        tensor: "TensorProfile",
        metadata: "map<string, string>",
        warnings: "list<string>",
      },
    },
    {
      name: "Request",
      ctor: RequestValue,
      fields: {
        metadata: "map<string, string>",
        tenant: "string",
        tier: "string",
        user_id: "string",
        request_id: "string",
        deadline_ms: "int",
      },
    },
  ];
}

/** The variables of the policy language and their types. */
export function celVariables(): Readonly<Record<string, string>> {
  return { input: "Input", request: "Request", now: "google.protobuf.Timestamp" };
}

/** The values of the policy language's variables for one request: `input`, `request` and `now`. */
export type Activation = {
  readonly input: InputValue;
  readonly request: RequestValue;
  readonly now: Date;
};

/** Converts one request's profile, context and time into the values every expression of that request reads. */
export function createActivation(profile: InputProfile, context: RequestContext | undefined, now: Date): Activation {
  return { input: new InputValue(profile), request: new RequestValue(context), now };
}
