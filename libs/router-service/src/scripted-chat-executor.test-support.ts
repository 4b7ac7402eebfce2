import { create } from "@bufbuild/protobuf";
import {
  ExecuteResponseSchema,
  ExecuteStreamResponseSchema,
  Modality,
  ModelSchema,
  ModelStatus,
  type ExecuteResponse,
  type ExecutorService,
  type Model,
} from "@modelrouter/contracts";
import { Code, RpcError, type CallContext, type ServiceImpl } from "@modelrouter/rpc-kit";

/** How the scripted executor answers one chat model. */
export interface ChatScript {
  /** The pieces of the answer, sent one delta each. */
  readonly deltas: readonly string[];
  /** After this many deltas, fail with `error` (0: before the first). Default: never. */
  readonly failAfter?: number;
  /** The failure. Default: UNAVAILABLE, as when the model server's stream broke. */
  readonly error?: RpcError;
  /** After this many deltas, wait until the call is cancelled (its deadline passes or its caller goes away). */
  readonly stallAfter?: number;
}

/** The answer of a script that completes: its deltas joined, "stop", and a usage of 5 prompt tokens and one per delta. */
export function scriptedAnswer(script: ChatScript): ExecuteResponse {
  const completionTokens = script.deltas.length;
  return create(ExecuteResponseSchema, {
    outputs: [
      {
        value: {
          case: "generation",
          value: { text: script.deltas.join(""), finishReason: "stop", usage: { promptTokens: 5, completionTokens, totalTokens: 5 + completionTokens } },
        },
      },
    ],
  });
}

/**
 * A chat model for the decision engine's catalogue: a text model with an `openai` backend at `url`, whose name at
 * the server is `modelName`.
 */
export function chatModel(name: string, url = "http://chat.models.example:8000/v1", modelName = name): Model {
  return create(ModelSchema, {
    name,
    version: "1",
    task: "chat",
    modality: Modality.TEXT,
    status: ModelStatus.ACTIVE,
    labels: { family: "chat" },
    backend: { kind: { case: "openai", value: { endpoints: [{ url }], modelName } } },
  });
}

function cancelled(ctx: CallContext): Promise<never> {
  return new Promise<never>((_, reject) => {
    const fail = () => reject(new RpcError({ code: Code.CANCELLED, message: "cancelled" }));
    if (ctx.signal.aborted) fail();
    else ctx.signal.addEventListener("abort", fail, { once: true });
  });
}

/**
 * A real ExecutorService (served in-process like any other) that answers each chat model by its script: its
 * deltas one by one on `ExecuteStream`, the whole answer on `Execute`, and failures or stalls where the script
 * says. It remembers the models it was called for and the streams that ended before their answer (cancelled).
 */
export class ScriptedChatExecutor {
  readonly calls: string[] = [];
  readonly abandoned: string[] = [];
  readonly #scripts: ReadonlyMap<string, ChatScript>;
  readonly #abandonedWaiters: (() => void)[] = [];

  constructor(scripts: Readonly<Record<string, ChatScript>>) {
    this.#scripts = new Map(Object.entries(scripts));
  }

  /** Resolves once a stream ended before its answer. */
  whenAbandoned(): Promise<void> {
    if (this.abandoned.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.#abandonedWaiters.push(resolve));
  }

  #script(model: string): ChatScript {
    const script = this.#scripts.get(model);
    if (script === undefined) throw new RpcError({ code: Code.NOT_FOUND, message: `no script for ${model}` });
    return script;
  }

  readonly impl: ServiceImpl<typeof ExecutorService> = {
    execute: async (request) => {
      const model = request.model?.name ?? "";
      this.calls.push(model);
      const script = this.#script(model);
      if (script.failAfter !== undefined) throw script.error ?? new RpcError({ code: Code.UNAVAILABLE, message: "the model server failed" });
      return scriptedAnswer(script);
    },
    executeStream: (request, ctx) => this.#stream(request.request?.model?.name ?? "", ctx),
  };

  async *#stream(model: string, ctx: CallContext) {
    this.calls.push(model);
    const script = this.#script(model);
    let finished = false;
    try {
      for (let sent = 0; ; sent += 1) {
        if (script.failAfter === sent) throw script.error ?? new RpcError({ code: Code.UNAVAILABLE, message: "the model server's stream broke" });
        if (script.stallAfter === sent) await cancelled(ctx);
        const text = script.deltas[sent];
        if (text === undefined) break;
        yield create(ExecuteStreamResponseSchema, { event: { case: "delta", value: { text } } });
      }
      finished = true;
      yield create(ExecuteStreamResponseSchema, { event: { case: "done", value: scriptedAnswer(script) } });
    } finally {
      if (!finished && script.failAfter === undefined) {
        this.abandoned.push(model);
        for (const wake of this.#abandonedWaiters.splice(0)) wake();
      }
    }
  }
}
