import { create } from "@bufbuild/protobuf";
import { ExecuteStreamResponseSchema, type ExecutorService } from "@modelrouter/contracts";
import type { MethodImpl, ServiceImpl } from "@modelrouter/rpc-kit";

/**
 * An ExecutorService whose `Execute` is `execute` and whose `ExecuteStream` answers as a model that does not
 * stream: `done` alone, with what `execute` answers (or its error).
 */
export function wholeAnswerExecutor(execute: MethodImpl<(typeof ExecutorService)["method"]["execute"]>): ServiceImpl<typeof ExecutorService> {
  return {
    execute,
    async *executeStream(request, ctx) {
      yield create(ExecuteStreamResponseSchema, { event: { case: "done", value: await execute(request.request!, ctx) } });
    },
  };
}
