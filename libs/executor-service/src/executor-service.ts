import { create } from "@bufbuild/protobuf";
import { type Duration, DurationSchema } from "@bufbuild/protobuf/wkt";
import {
  type ExecuteRequest,
  type ExecuteResponse,
  ExecuteResponseSchema,
  type ExecuteStreamResponse,
  ExecuteStreamResponseSchema,
  type ExecutorService,
  type Output,
  OutputSchema,
} from "@modelrouter/contracts";
import { DomainError, ErrorReason, isDomainError } from "@modelrouter/errors";
import { type CallContext, codeName, isRpcError, traceLogFields, type ServiceImpl } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { planInference } from "./inference-plan.js";
import type { RemoteModels } from "./oip-client/remote-models.js";
import type { ChatModels, ChatResult } from "./openai-client/chat-models.js";
import { protoDataType } from "./tensor-payload.js";
import type { WorkerPool } from "./worker-pool.js";
import type { InferenceTask, TaskOutput } from "./worker-protocol.js";

/** Options of {@link createExecutorService}. */
export interface ExecutorServiceOptions {
  /** Runs the models. The service does not own it: whoever created it closes it. */
  readonly pool: WorkerPool;
  /** Runs the models whose backend is `oip` (on Open Inference Protocol servers). Absent: they are refused. */
  readonly remote?: RemoteModels;
  /** Runs the models whose backend is `openai` (chat models on OpenAI-compatible servers). Absent: they are refused. */
  readonly chat?: ChatModels;
  readonly logger: Logger;
}

/**
 * The `modelrouter.executor.v1.ExecutorService` handlers: validate the request, plan the inference, run it in
 * the worker pool with the call's deadline and cancellation, and answer with the outputs, the inference time
 * and the queueing time. Failures are domain errors (see `planInference` and `WorkerPool.run`); MODEL_UNAVAILABLE
 * and INTERNAL errors are logged here with their causes, since clients only get a safe message. A model whose
 * backend is `oip` is run by `remote` instead (see `RemoteModels.execute`), one whose backend is `openai` by `chat`
 * (see `ChatModels`), with the same deadline and cancellation. ExecuteStream streams a chat model's text as the
 * server generates it, then the whole response; any other model answers with the response alone.
 */
export function createExecutorService(options: ExecutorServiceOptions): ServiceImpl<typeof ExecutorService> {
  const { pool, logger } = options;
  const chat = options.chat;

  /** Logs what clients only get a safe message of: a remote server's failure, MODEL_UNAVAILABLE and INTERNAL with causes. */
  const logFailure = (error: unknown, request: ExecuteRequest, ctx: CallContext, task?: InferenceTask): void => {
    const kind = request.backend?.kind.case;
    if (isRpcError(error) && (kind === "oip" || kind === "openai")) {
      logger.warn(kind === "oip" ? "a call to an OIP server failed" : "a call to an OpenAI-compatible server failed", {
        ...traceLogFields(ctx),
        requestId: request.requestId,
        model: request.model?.name ?? "",
        version: request.model?.version ?? "",
        code: codeName(error.code),
        error: error.message,
      });
    }
    if (isDomainError(error) && (error.reason === ErrorReason.MODEL_UNAVAILABLE || error.reason === ErrorReason.INTERNAL)) {
      const log = error.reason === ErrorReason.INTERNAL ? logger.error : logger.warn;
      log(error.message, {
        ...traceLogFields(ctx),
        requestId: request.requestId,
        reason: error.reason,
        model: task?.model.name ?? request.model?.name ?? "",
        version: task?.model.version ?? request.model?.version ?? "",
        ...(task === undefined ? {} : { path: task.model.path }),
        cause: error.cause,
      });
    }
  };

  const execute = async (request: ExecuteRequest, ctx: CallContext): Promise<ExecuteResponse> => {
    let task: InferenceTask | undefined;
    try {
      if (request.backend?.kind.case === "openai" && chat !== undefined) {
        return chatResponse(await chat.execute(request, { deadline: ctx.deadline, signal: ctx.signal, traceContext: ctx.traceContext }));
      }
      if (request.backend?.kind.case === "oip" && options.remote !== undefined) {
        const result = await options.remote.execute(request, { deadline: ctx.deadline, signal: ctx.signal, traceContext: ctx.traceContext });
        return create(ExecuteResponseSchema, { outputs: result.outputs.map(toOutput), inferenceTime: duration(result.inferenceMs) });
      }
      task = planInference(request, pool.modelRoot);
      const result = await pool.run(task, { deadline: ctx.deadline, signal: ctx.signal, shadow: request.shadow });
      return create(ExecuteResponseSchema, {
        outputs: result.outputs.map(toOutput),
        inferenceTime: duration(result.inferenceMs),
        queueTime: duration(result.queueMs),
      });
    } catch (error) {
      logFailure(error, request, ctx, task);
      throw error;
    }
  };

  return {
    execute,
    async *executeStream(streamRequest, ctx): AsyncGenerator<ExecuteStreamResponse> {
      const request = streamRequest.request;
      if (request === undefined) {
        throw new DomainError(ErrorReason.INVALID_FIELD, "invalid execute stream request: request is required", {
          violations: [{ field: "request", description: "is required: the ExecuteRequest to run" }],
        });
      }
      if (request.backend?.kind.case !== "openai" || chat === undefined) {
        yield create(ExecuteStreamResponseSchema, { event: { case: "done", value: await execute(request, ctx) } });
        return;
      }
      const deltas = chat.stream(request, { deadline: ctx.deadline, signal: ctx.signal, traceContext: ctx.traceContext });
      try {
        for (;;) {
          const step = await deltas.next();
          if (step.done === true) {
            yield create(ExecuteStreamResponseSchema, { event: { case: "done", value: chatResponse(step.value) } });
            return;
          }
          yield create(ExecuteStreamResponseSchema, { event: { case: "delta", value: { text: step.value } } });
        }
      } catch (error) {
        logFailure(error, request, ctx);
        throw error;
      } finally {
        await deltas.return(undefined as never);
      }
    },
  };
}

/** The ExecuteResponse of a chat model's answer: one `generation` output named "generation". */
function chatResponse(result: ChatResult): ExecuteResponse {
  const { answer } = result;
  return create(ExecuteResponseSchema, {
    outputs: [
      {
        name: "generation",
        value: {
          case: "generation",
          value: {
            text: answer.text,
            finishReason: answer.finishReason,
            usage: { promptTokens: answer.usage.promptTokens, completionTokens: answer.usage.completionTokens, totalTokens: answer.usage.totalTokens },
          },
        },
      },
    ],
    inferenceTime: duration(result.inferenceMs),
  });
}

/**
 * A proto `Output` of a task output: ranked labels, one number with its unit, or the tensor with its elements
 * in float_data/int_data.
 */
export function toOutput(output: TaskOutput): Output {
  if (output.kind === "classification") {
    return create(OutputSchema, {
      name: output.name,
      value: { case: "classification", value: { labels: output.labels.map((l) => ({ label: l.label, score: l.score })) } },
    });
  }
  if (output.kind === "regression") {
    return create(OutputSchema, { name: output.name, value: { case: "regression", value: { value: output.value, unit: output.unit } } });
  }
  const values = output.values;
  const isFloat = output.dataType === "float32" || output.dataType === "float64";
  return create(OutputSchema, {
    name: output.name,
    value: {
      case: "tensor",
      value: {
        dataType: protoDataType(output.dataType),
        shape: [...output.shape],
        floatData: isFloat ? Array.from(values as Float32Array) : [],
        intData: isFloat ? [] : Array.from(values as ArrayLike<number | bigint>, (x) => BigInt(x)),
      },
    },
  });
}

/** A protobuf Duration of a number of milliseconds. */
function duration(ms: number): Duration {
  const nanosTotal = BigInt(Math.max(0, Math.round(ms * 1_000_000)));
  return create(DurationSchema, { seconds: nanosTotal / 1_000_000_000n, nanos: Number(nanosTotal % 1_000_000_000n) });
}
