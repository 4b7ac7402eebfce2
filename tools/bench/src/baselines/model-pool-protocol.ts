import type { LabelScore } from "./model-runner.js";

/** A request to a pool worker: the image to classify. */
export interface PoolTask {
  readonly id: number;
  readonly png: Uint8Array;
}

/** A pool worker's message: ready (its session is open), or the answer to a task. */
export type PoolReply =
  | { readonly ready: true }
  | { readonly id: number; readonly labels: readonly LabelScore[] }
  | { readonly id: number; readonly error: string };
