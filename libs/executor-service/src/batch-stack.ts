import type { FeedTensor, InputInfo } from "./model-input.js";
import type { RawOutput } from "./postprocess.js";

/** A task ready to run: its checked, pre-processed feed and the input and output it uses. */
export interface PreparedItem<T> {
  /** What the caller needs to answer the task. */
  readonly ref: T;
  readonly inputName: string;
  readonly outputName: string;
  readonly feed: FeedTensor;
}

/** True when the input's first dimension is symbolic: the model takes any number of rows in one run. */
export function hasBatchAxis(input: InputInfo): boolean {
  const shape = input.shape ?? [];
  return shape.length > 0 && typeof shape[0] === "string";
}

/**
 * Groups items that can run stacked: the same input and output, element type, and dimensions after the first,
 * each feed a typed array with at least one dimension. Items that cannot be stacked form groups of one.
 * Groups keep the items' order.
 */
export function stackableGroups<I extends PreparedItem<unknown>>(items: readonly I[]): I[][] {
  const groups = new Map<string, I[]>();
  const alone: I[][] = [];
  for (const item of items) {
    const { feed } = item;
    if (feed.dims.length === 0 || !ArrayBuffer.isView(feed.data)) {
      alone.push([item]);
      continue;
    }
    const key = JSON.stringify([item.inputName, item.outputName, feed.type, feed.dims.slice(1)]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return [...groups.values(), ...alone];
}

type TypedValues = FeedTensor["data"];

/** The feeds of one group (see {@link stackableGroups}) concatenated along their first dimension. */
export function stackFeeds(feeds: readonly FeedTensor[]): FeedTensor {
  const first = feeds[0];
  if (first === undefined) throw new RangeError("stackFeeds needs at least one feed");
  const rows = feeds.reduce((n, f) => n + (f.dims[0] ?? 0), 0);
  const length = feeds.reduce((n, f) => n + f.data.length, 0);
  const Values = first.data.constructor as new (length: number) => TypedValues;
  const data = new Values(length);
  let at = 0;
  for (const feed of feeds) {
    (data as { set(values: ArrayLike<unknown>, offset: number): void }).set(feed.data, at);
    at += feed.data.length;
  }
  return { type: first.type, data, dims: [rows, ...first.dims.slice(1)] };
}

/**
 * Splits the output of a stacked run back into one output per item, `rows[i]` rows each, along the first
 * dimension. Undefined when the output's first dimension is not the stacked row count (the model does not
 * keep its batch axis in that output) or its data is not an array of elements.
 */
export function splitOutput(output: RawOutput, rows: readonly number[]): RawOutput[] | undefined {
  const total = rows.reduce((n, r) => n + r, 0);
  const data = output.data as { readonly length: number; slice(start: number, end: number): unknown } | undefined;
  if (output.dims[0] !== total || data === undefined || typeof data.slice !== "function" || total === 0) return undefined;
  const perRow = data.length / total;
  if (!Number.isInteger(perRow)) return undefined;
  let row = 0;
  return rows.map((r) => {
    const part: RawOutput = { ...output, dims: [r, ...output.dims.slice(1)], data: data.slice(row * perRow, (row + r) * perRow) };
    row += r;
    return part;
  });
}
