/** A request payload as a client sends it: a text, a parsed JSON record, or the bytes of a WAV file. */
export type Payload =
  | { readonly text: string }
  | { readonly json: unknown }
  | { readonly audio: Uint8Array };

/** One payload with its class index. */
export interface LabelledPayload {
  readonly payload: Payload;
  readonly label: number;
}

/** A labelled dataset of payloads, split into training and held-out samples. */
export interface PayloadDataset {
  /** For example "udhr-sentences". */
  readonly name: string;
  /** The class names, in output order. */
  readonly classes: readonly string[];
  readonly train: readonly LabelledPayload[];
  readonly test: readonly LabelledPayload[];
  /** One paragraph for the model cards: where the data comes from and how it was split. */
  readonly description: string;
}

/** Splits `items` with a seeded shuffle: the first `testFraction` of the shuffled order is held out. */
export function splitPayloads(
  items: readonly LabelledPayload[],
  testFraction: number,
  shuffle: <T>(values: T[]) => T[],
): { train: LabelledPayload[]; test: LabelledPayload[] } {
  const order = shuffle(items.map((_, i) => i));
  const testCount = Math.round(items.length * testFraction);
  return {
    test: order.slice(0, testCount).map((i) => items[i] as LabelledPayload),
    train: order.slice(testCount).map((i) => items[i] as LabelledPayload),
  };
}
