import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ExecuteRequestSchema, ExecuteStreamResponse, ExecutorService } from "@modelrouter/contracts";
import { Code, RpcError, type CallOptions, type ServiceClient } from "@modelrouter/rpc-kit";

/** One event of an attempt: a piece of a generation as the model makes it (`delta`), or the whole answer (`done`). */
export type ExecutorEvent = ExecuteStreamResponse["event"];

/**
 * How an attempt calls its executor instance: the events of one model run, ending with `done`. Breaking out of
 * the iteration cancels the call.
 */
export type ExecutorCall = (
  client: ServiceClient<typeof ExecutorService>,
  request: MessageInitShape<typeof ExecuteRequestSchema>,
  options: CallOptions & { readonly deadline: number },
) => AsyncIterable<ExecutorEvent>;

/** `Execute`: the answer alone, as one `done` event (what `Infer` runs; the client holds it to the deadline). */
export const unaryExecutorCall: ExecutorCall = (client, request, options) => ({
  [Symbol.asyncIterator]() {
    let called = false;
    const finished: IteratorReturnResult<undefined> = { done: true, value: undefined };
    return {
      async next(): Promise<IteratorResult<ExecutorEvent, undefined>> {
        if (called) return finished;
        called = true;
        return { done: false, value: { case: "done", value: await client.execute(request, options) } };
      },
      async return(): Promise<IteratorResult<ExecutorEvent, undefined>> {
        called = true;
        return finished;
      },
    };
  },
});

/** Rejects when `deadline` (epoch ms) passes; `clear` stops the timer. */
function expiry(deadline: number): { readonly passed: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise<never>((_, reject) => {
    const fail = () => reject(new RpcError({ code: Code.DEADLINE_EXCEEDED, message: "the request's deadline passed before the model finished its answer" }));
    timer = setTimeout(fail, Math.max(0, Math.min(deadline - Date.now(), 2 ** 31 - 1)));
  });
  passed.catch(() => undefined);
  return { passed, clear: () => clearTimeout(timer) };
}

/**
 * `ExecuteStream` (what `InferStream` runs): the deltas as the executor sends them, then `done` once the stream has
 * ended with its status. The deadline bounds the whole stream whatever the transport: when it passes, or when
 * the caller stops iterating before `done`, the executor call is cancelled.
 */
export const streamingExecutorCall: ExecutorCall = (client, request, options) => ({
  async *[Symbol.asyncIterator]() {
    const cancel = new AbortController();
    const signal = options.signal === undefined ? cancel.signal : AbortSignal.any([options.signal, cancel.signal]);
    const messages = client.executeStream({ request }, { ...options, signal })[Symbol.asyncIterator]();
    const timer = expiry(options.deadline);
    const next = () => Promise.race([messages.next(), timer.passed]);
    let ended = false;
    try {
      for (let step = await next(); step.done !== true; step = await next()) {
        const { event } = step.value;
        if (event.case !== "done") {
          yield event;
          continue;
        }
        // Read to the end of the stream, so that the call finishes with its status rather than a cancellation.
        while ((await next()).done !== true);
        ended = true;
        yield event;
        return;
      }
      ended = true;
    } finally {
      timer.clear();
      if (!ended) {
        cancel.abort();
        void messages.return?.(undefined)?.catch(() => undefined);
      }
    }
  },
});
