import { COST } from "./cost-units.js";
import type { RequestBounds } from "./request-bounds.js";

/**
 * An upper bound of the size of a value, as the cost estimator follows values through an expression. One
 * shape may stand for values of several kinds (a `dyn` that is a string or a list): each bound holds for
 * each kind, so a joined shape over-estimates and never under-estimates.
 */
export interface Shape {
  /** The most UTF-16 code units of a string, bytes of a bytes value, elements of a list, entries of a map; 0 for a scalar. */
  readonly size: number;
  /** The value may be a string or bytes, whose operations cost per character. */
  readonly text: boolean;
  /**
   * The string is a key of a map that was built before evaluation (`request.metadata`'s keys, field
   * names), so its hash is cached: looking it up in a map does not scan it again.
   */
  readonly hashed: boolean;
  /** The value may be a list. */
  readonly list: boolean;
  /** A list's elements or a map's keys: what `in` compares and a comprehension iterates. */
  readonly item: Shape | undefined;
  /** A map's values (undefined: the value is not a map). */
  readonly value: Shape | undefined;
  /** A message's fields. */
  readonly fields: Readonly<Record<string, Shape>> | undefined;
  /** Parsed JSON: a value of unknown structure, every part of which, and all of it together, is at most `size`. */
  readonly opaque: boolean;
}

const EMPTY: Shape = Object.freeze({
  size: 0,
  text: false,
  hashed: false,
  list: false,
  item: undefined,
  value: undefined,
  fields: undefined,
  opaque: false,
});

/** A number, bool, null, timestamp, duration or type: its operations cost a constant. */
export const SCALAR: Shape = EMPTY;

/** A string or bytes value of at most `size` code units or bytes. */
export function textShape(size: number): Shape {
  return { ...EMPTY, size, text: true };
}

/** A list of at most `size` elements shaped like `item`. */
export function listShape(size: number, item: Shape): Shape {
  return { ...EMPTY, size, list: true, item };
}

/** A map of at most `size` entries. */
export function mapShape(size: number, key: Shape, value: Shape): Shape {
  return { ...EMPTY, size, item: key, value };
}

/** A map of the request, built before evaluation: its keys' hashes are cached. */
function requestMapShape(size: number, key: Shape, value: Shape): Shape {
  return mapShape(size, { ...key, hashed: true }, value);
}

/** A message with these fields. */
export function messageShape(fields: Readonly<Record<string, Shape>>): Shape {
  return { ...EMPTY, fields };
}

/** Parsed JSON of at most `size` bytes. */
export function opaqueShape(size: number): Shape {
  return { ...EMPTY, size, opaque: true };
}

function joinFields(
  a: Readonly<Record<string, Shape>> | undefined,
  b: Readonly<Record<string, Shape>> | undefined,
): Readonly<Record<string, Shape>> | undefined {
  if (a === undefined || b === undefined || a === b) return a ?? b;
  const out: Record<string, Shape> = { ...a };
  for (const [name, shape] of Object.entries(b)) out[name] = joinShapes(out[name], shape);
  return out;
}

/** A shape that bounds both `a` and `b` (the value is one or the other). */
export function joinShapes(a: Shape | undefined, b: Shape): Shape;
export function joinShapes(a: Shape | undefined, b: Shape | undefined): Shape | undefined;
export function joinShapes(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (a === undefined || b === undefined || a === b) return a ?? b;
  return {
    size: Math.max(a.size, b.size),
    text: a.text || b.text,
    hashed: a.hashed && b.hashed,
    list: a.list || b.list,
    item: joinShapes(a.item, b.item),
    value: joinShapes(a.value, b.value),
    fields: joinFields(a.fields, b.fields),
    opaque: a.opaque || b.opaque,
  };
}

/** What a comprehension over `shape` binds its variable to: a list's elements, a map's keys. */
export function elementOf(shape: Shape): Shape {
  return joinShapes(shape.item, shape.opaque ? shape : undefined) ?? SCALAR;
}

/** What `shape[index]` is: a list's element or a map's value; `field` when the index is a literal string. */
export function indexedOf(shape: Shape, field: string | undefined): Shape {
  let out = joinShapes(shape.list ? shape.item : undefined, shape.value);
  if (shape.fields !== undefined) {
    const fields = field === undefined ? Object.values(shape.fields) : [shape.fields[field] ?? SCALAR];
    for (const f of fields) out = joinShapes(out, f);
  }
  if (shape.opaque) out = joinShapes(out, shape);
  return out ?? SCALAR;
}

/** What `shape.name` is: a message's field, or a map's value. */
export function memberOf(shape: Shape, name: string): Shape {
  let out = shape.fields === undefined ? undefined : (shape.fields[name] ?? SCALAR);
  out = joinShapes(out, shape.value);
  if (shape.opaque) out = joinShapes(out, shape);
  return out ?? SCALAR;
}

/** The work of visiting every part of a value once (comparing or copying it), in cost units. */
export function deepWork(shape: Shape): number {
  if (shape.opaque) return shape.size * (COST.node + COST.char);
  let perEntry = shape.text ? COST.char : 0;
  if (shape.item !== undefined) perEntry += COST.node + deepWork(shape.item);
  if (shape.value !== undefined) perEntry += deepWork(shape.value);
  let work = shape.size * perEntry;
  for (const field of Object.values(shape.fields ?? {})) work += COST.node + deepWork(field);
  return work;
}

/** The work of hashing `key` to look it up in a map. */
export function hashWork(key: Shape): number {
  return COST.node + ((key.text && !key.hashed) || key.opaque ? key.size * COST.char : 0);
}

/** The shapes of the language's variables (`input`, `request`, `now`) and namespaces, for requests within `bounds`. */
export function variableShapes(bounds: RequestBounds): ReadonlyMap<string, Shape> {
  const name = textShape(bounds.profileNameLength);
  const metadata = requestMapShape(bounds.metadataEntries, textShape(bounds.metadataKeyLength), textShape(bounds.metadataValueLength));
  const field = messageShape({
    type: name,
    present_count: SCALAR,
    min: SCALAR,
    max: SCALAR,
    mean: SCALAR,
    min_length: SCALAR,
    max_length: SCALAR,
  });
  const input = messageShape({
    modality: name,
    mime_type: name,
    declared_mime_type: textShape(bounds.declaredMimeTypeLength),
    size_bytes: SCALAR,
    image: messageShape({
      format: name,
      width: SCALAR,
      height: SCALAR,
      channels: SCALAR,
      bit_depth: SCALAR,
      color: name,
      min_side: SCALAR,
      sharpness: SCALAR,
      pixels_analyzed: SCALAR,
    }),
    audio: messageShape({
      format: name,
      sample_rate_hz: SCALAR,
      channels: SCALAR,
      bits_per_sample: SCALAR,
      duration_seconds: SCALAR,
      rms_dbfs: SCALAR,
      peak_dbfs: SCALAR,
      speech_ratio: SCALAR,
      analyzed_seconds: SCALAR,
    }),
    text: messageShape({
      length: SCALAR,
      word_count: SCALAR,
      language: name,
      language_confidence: SCALAR,
      script: name,
      token_estimate: SCALAR,
      line_count: SCALAR,
    }),
    tabular: messageShape({
      row_count: SCALAR,
      fields: requestMapShape(bounds.tabularFields, textShape(bounds.fieldNameLength), field),
    }),
    tensor: messageShape({ data_type: name, shape: listShape(bounds.tensorRank, SCALAR), element_count: SCALAR }),
    metadata,
    warnings: listShape(bounds.warnings, textShape(bounds.warningLength)),
  });
  const identity = textShape(bounds.identityLength);
  const request = messageShape({
    metadata,
    tenant: identity,
    tier: identity,
    user_id: identity,
    request_id: textShape(bounds.requestIdLength),
    deadline_ms: SCALAR,
  });
  const label = textShape(63);
  const candidate = messageShape({
    name: label,
    version: label,
    task: textShape(bounds.identityLength),
    labels: mapShape(64, label, label),
    metrics: messageShape({
      accuracy: SCALAR,
      f1: SCALAR,
      p50_latency_ms: SCALAR,
      cost_per_request: SCALAR,
      evaluation_samples: SCALAR,
    }),
    live: messageShape({
      requests: SCALAR,
      error_rate: SCALAR,
      p50_latency_ms: SCALAR,
      p95_latency_ms: SCALAR,
      p99_latency_ms: SCALAR,
      accuracy: SCALAR,
      labelled: SCALAR,
      mean_reward: SCALAR,
      rewarded: SCALAR,
    }),
  });
  return new Map([
    ["input", input],
    ["candidate", candidate],
    ["request", request],
    ["now", SCALAR],
    ["cel", SCALAR],
    ["optional", SCALAR],
  ]);
}
