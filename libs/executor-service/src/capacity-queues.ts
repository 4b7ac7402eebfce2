/**
 * One FIFO queue per model, served in turn: the model whose queue was served longest ago goes first, so that
 * one model's burst waits behind itself and cannot starve the others.
 */
export class ModelQueues<J> {
  /** In serving order: a queue that is served moves to the back; an empty one is removed. */
  readonly #queues = new Map<string, J[]>();
  #size = 0;

  /** Tasks waiting in all queues. */
  get size(): number {
    return this.#size;
  }

  /** Tasks waiting for the model `key`. */
  sizeOf(key: string): number {
    return this.#queues.get(key)?.length ?? 0;
  }

  /** Appends a task to its model's queue; a model seen for the first time is served last. */
  push(key: string, job: J): void {
    const queue = this.#queues.get(key);
    if (queue === undefined) this.#queues.set(key, [job]);
    else queue.push(job);
    this.#size++;
  }

  /** Removes a waiting task (cancelled or expired); false when it was not waiting. */
  remove(key: string, job: J): boolean {
    const queue = this.#queues.get(key);
    const at = queue?.indexOf(job) ?? -1;
    if (queue === undefined || at < 0) return false;
    queue.splice(at, 1);
    this.#size--;
    if (queue.length === 0) this.#queues.delete(key);
    return true;
  }

  /** Each model's queue, in serving order (read-only views: use `take` and `remove` to change them). */
  queues(): [key: string, queue: readonly J[]][] {
    return [...this.#queues.entries()];
  }

  /** Takes up to `count` tasks from the front of a model's queue, and moves the model to the back of the turn. */
  take(key: string, count: number): J[] {
    const queue = this.#queues.get(key);
    if (queue === undefined) return [];
    const taken = queue.splice(0, Math.max(1, count));
    this.#size -= taken.length;
    this.#queues.delete(key);
    if (queue.length > 0) this.#queues.set(key, queue);
    return taken;
  }

  /** Every waiting task, emptying the queues. */
  drain(): J[] {
    const all = [...this.#queues.values()].flat();
    this.#queues.clear();
    this.#size = 0;
    return all;
  }
}
