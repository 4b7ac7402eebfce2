import { Worker } from "node:worker_threads";
import type { LabelScore } from "./model-runner.js";
import type { PoolReply, PoolTask } from "./model-pool-protocol.js";

/** A minimal worker-thread pool of the benchmark model. */
export interface ClassifierPool {
  /** Classifies a PNG on the next free worker, in arrival order. */
  classify(png: Uint8Array): Promise<readonly LabelScore[]>;
  close(): Promise<void>;
}

interface Pending {
  readonly task: PoolTask;
  resolve(labels: readonly LabelScore[]): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  busy: Pending | undefined;
}

/**
 * Starts `size` workers (`model-worker.js`, each with its own ONNX Runtime session) and resolves once all are
 * ready. One task in flight per worker; the others wait in one FIFO queue. The PNG is copied once and moved to the
 * worker, as a model server's hand-off to a worker would. A worker that exits fails the pool (a benchmark must not
 * measure a half pool).
 */
export async function startClassifierPool(size: number): Promise<ClassifierPool> {
  const queue: Pending[] = [];
  let nextId = 0;
  let failure: Error | undefined;
  const slots: Slot[] = [];
  const dispatch = (slot: Slot): void => {
    const next = queue.shift();
    slot.busy = next;
    if (next !== undefined) slot.worker.postMessage(next.task, [next.task.png.buffer as ArrayBuffer]);
  };
  const ready = Array.from({ length: size }, () => {
    const slot: Slot = { worker: new Worker(new URL("./model-worker.js", import.meta.url)), busy: undefined };
    slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      slot.worker.on("message", (reply: PoolReply) => {
        if ("ready" in reply) return resolve();
        const done = slot.busy;
        if (done === undefined || done.task.id !== reply.id) return;
        if ("error" in reply) done.reject(new Error(reply.error));
        else done.resolve(reply.labels);
        dispatch(slot);
      });
      slot.worker.once("error", reject);
      slot.worker.once("exit", (code) => {
        failure = new Error(`a model worker exited with code ${code}`);
        reject(failure);
        slot.busy?.reject(failure);
        for (const pending of queue.splice(0)) pending.reject(failure);
      });
    });
  });
  await Promise.all(ready);
  return {
    classify(png) {
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        // A copy of its own, moved to the worker (the request's bytes are a view on grpc-js's buffer).
        queue.push({ task: { id: nextId++, png: png.slice() }, resolve, reject });
        const idle = slots.find((s) => s.busy === undefined);
        if (idle !== undefined) dispatch(idle);
      });
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
