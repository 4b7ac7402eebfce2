import { create } from "@bufbuild/protobuf";
import { InferStreamResponseSchema, type Attempt, type InferStreamResponse } from "@modelrouter/contracts";
import type { CallContext } from "@modelrouter/rpc-kit";
import { streamingExecutorCall } from "./executor-calls.js";
import type { ExecutorInstances } from "./executor-instances.js";
import { runWithFallbacks, type Execution, type ExecutionPlan, type FallbackSettings } from "./execute-with-fallbacks.js";

/**
 * Runs a request's candidates with `ExecuteStream`, falling back as `runWithFallbacks` says — to another instance
 * or the next model only until the first delta was passed on — and yields each delta as an InferStream `delta`
 * message as it comes. Returns the execution (never throws). Stopping the iteration (the client cancelled)
 * cancels the executor call in progress, which counts as a CANCELLED attempt in `attempts`.
 */
export async function* executeStreamWithFallbacks(
  executors: ExecutorInstances,
  plan: ExecutionPlan,
  parent: CallContext,
  settings: Omit<FallbackSettings, "call">,
  attempts: Attempt[] = [],
): AsyncGenerator<InferStreamResponse, Execution, undefined> {
  const run = runWithFallbacks(executors, plan, parent, { ...settings, call: streamingExecutorCall }, attempts);
  try {
    for (;;) {
      const step = await run.next();
      if (step.done === true) return step.value;
      yield create(InferStreamResponseSchema, { event: { case: "delta", value: step.value } });
    }
  } finally {
    // Cancels the attempt in progress when the caller stopped early; a finished run ignores it.
    await (run as AsyncGenerator<unknown, unknown>).return(undefined);
  }
}
