import type { ExecuteRequest, OpenAiBackend } from "@modelrouter/contracts";
import { AsyncQueue, type RpcError } from "@modelrouter/rpc-kit";
import { type Logger, withSpan } from "@modelrouter/telemetry";
import type { EndpointAccess } from "../oip-client/endpoint-access.js";
import { EndpointConnector } from "../oip-client/endpoint-connection.js";
import { EndpointPool } from "../oip-client/endpoint-pool.js";
import type { OipCall } from "../oip-client/oip-types.js";
import { notServableError, readinessLogger } from "../oip-client/oip-errors.js";
import { type ChatModelSource, chatModelSource, checkChatBackend, planChat } from "./openai-plan.js";
import { createOpenAiTransport, type OpenAiTransport } from "./openai-transport.js";
import type { ChatAnswer, ChatCompletionCall } from "./openai-wire.js";

/** Options of {@link createChatModels}. */
export interface ChatModelsOptions {
  /** The egress policy and credential store (`egressEndpointAccess`), as for OIP endpoints. */
  readonly access: EndpointAccess;
  /** How often each endpoint is checked (`GET {url}/models`), in milliseconds; 0: never. */
  readonly healthIntervalMs: number;
  readonly logger: Logger;
  /** The most bytes of one answer from a server (default 16 MiB). */
  readonly maxResponseBytes?: number;
  /** Picks a random number in [0, 1) to choose endpoints (tests fix it). */
  readonly random?: () => number;
}

/** What an Execute of a chat model answers. */
export interface ChatResult {
  readonly answer: ChatAnswer;
  /** The time the server took, as the executor saw it, in milliseconds. */
  readonly inferenceMs: number;
}

/** How many of a server's model ids an error lists. */
const MAX_LISTED_IDS = 5;

/** The executor's chat models, served by OpenAI-compatible servers (`backend.openai`). */
export interface ChatModels {
  /**
   * Runs an Execute of an `openai` model without streaming: the conversation sent to an endpoint (chosen by load,
   * retried on another when it is unavailable), the whole answer returned.
   *
   * @throws DomainError INVALID_FIELD / PAYLOAD_UNSUPPORTED / MODEL_UNAVAILABLE (see `planChat`); RpcError
   *   FAILED_PRECONDITION when the server does not offer `backend.openai.model_name`; the servers' failures mapped
   *   by `codeOfHttpStatus` (UNAVAILABLE, DEADLINE_EXCEEDED, INVALID_ARGUMENT, RESOURCE_EXHAUSTED, …).
   */
  execute(request: ExecuteRequest, call: OipCall): Promise<ChatResult>;
  /**
   * Runs it streamed: yields each piece of text as the server generates it, then returns the whole result. Once a
   * piece was yielded, a failure is never retried on another endpoint. Stopping the iteration aborts the request.
   */
  stream(request: ExecuteRequest, call: OipCall): AsyncGenerator<string, ChatResult, undefined>;
  /**
   * Checks a registered version ahead of its first request: an endpoint answers `GET {url}/models` and offers
   * `model_name`. Resolves with the problem that leaves it unservable (also logged), or undefined when it is
   * servable; rejects when no endpoint answered.
   */
  load(name: string, version: string, backend: OpenAiBackend, call: OipCall): Promise<string | undefined>;
  /** Closes a version's connections and forgets its check. */
  unload(name: string, version: string): void;
  close(): void;
}

interface Entry {
  readonly model: ChatModelSource;
  readonly backend: OpenAiBackend;
  readonly pool: EndpointPool<OpenAiTransport>;
  /** The load check's outcome: undefined when servable, else the problem. */
  checked: Promise<string | undefined> | undefined;
}

/**
 * Creates the executor's {@link ChatModels}. Each call runs in a span `executor.openai_chat` with the OpenTelemetry
 * GenAI attributes (`gen_ai.system`, `gen_ai.request.model`, `gen_ai.usage.input_tokens`,
 * `gen_ai.usage.output_tokens`, `gen_ai.response.finish_reasons`), whose context goes to the server as `traceparent`.
 */
export function createChatModels(options: ChatModelsOptions): ChatModels {
  const { access, logger } = options;
  const entries = new Map<string, Entry>();
  const refOf = (name: string, version: string) => `${name}@${version}`;

  const entryFor = (model: ChatModelSource, backend: OpenAiBackend): Entry => {
    const ref = refOf(model.name, model.version);
    const known = entries.get(ref);
    if (known?.model.key === model.key) return known;
    const endpoints = checkChatBackend(model, backend);
    known?.pool.close();
    const transports = endpoints.map((endpoint, i) =>
      createOpenAiTransport({
        endpoint,
        connector: new EndpointConnector(endpoint, backend.endpoints[i]?.credential ?? "", access),
        ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
      }),
    );
    const pool = new EndpointPool<OpenAiTransport>(transports, {
      model: backend.modelName,
      version: "",
      healthIntervalMs: options.healthIntervalMs,
      ...(options.random === undefined ? {} : { random: options.random }),
      isReady: async (transport, call) => {
        await transport.modelIds(call);
        return true;
      },
      onReadiness: readinessLogger(logger, "OpenAI", model.name, model.version),
    });
    const entry: Entry = { model, backend, pool, checked: undefined };
    entries.set(ref, entry);
    return entry;
  };

  const notServable = (model: ChatModelSource, problem: string): RpcError => notServableError("OpenAI", model, problem, "backend.openai.model_name");

  const check = (entry: Entry, call: OipCall): Promise<string | undefined> => {
    if (entry.checked !== undefined) return entry.checked;
    const wanted = entry.backend.modelName;
    const pending = entry.pool.run(call, async (transport) => {
      const ids = await transport.modelIds(call);
      if (ids.includes(wanted)) return undefined;
      const listed = ids.slice(0, MAX_LISTED_IDS).map((id) => JSON.stringify(id.slice(0, 100)));
      const offered = ids.length === 0 ? "none" : `${listed.join(", ")}${ids.length > MAX_LISTED_IDS ? ` and ${ids.length - MAX_LISTED_IDS} more` : ""}`;
      return `the server at ${transport.url} does not offer backend.openai.model_name ${JSON.stringify(wanted)}; it offers ${offered}: register one of its model ids`;
    });
    entry.checked = pending;
    pending.then(
      (problem) => {
        if (problem !== undefined) logger.warn("chat model not offered by its server; it is not servable", { model: entry.model.name, version: entry.model.version, problem });
      },
      () => {
        if (entry.checked === pending) entry.checked = undefined;
      },
    );
    return pending;
  };

  const run = async (request: ExecuteRequest, call: OipCall, onDelta?: (text: string) => void): Promise<ChatResult> => {
    const plan = planChat(request);
    const entry = entryFor(plan.model, plan.backend);
    const problem = await check(entry, call);
    if (problem !== undefined) throw notServable(plan.model, problem);
    const completion: ChatCompletionCall = {
      model: plan.backend.modelName,
      messages: plan.messages,
      maxTokens: plan.backend.maxTokens,
      temperature: plan.backend.temperature,
    };
    const send = (traced: OipCall, traceparent?: string): Promise<ChatAnswer> =>
      entry.pool.run(traced, (transport) => transport.complete({ ...completion, ...(traceparent === undefined ? {} : { traceparent }) }, traced, onDelta));
    const started = performance.now();
    const answer =
      call.traceContext === undefined
        ? await send(call)
        : await withSpan("executor.openai_chat", { "gen_ai.system": "openai", "gen_ai.operation.name": "chat", "gen_ai.request.model": completion.model }, call.traceContext, async (span, traceContext) => {
            const result = await send({ ...call, traceContext }, traceparentOf(span.spanContext()));
            span.setAttributes({
              "gen_ai.usage.input_tokens": result.usage.promptTokens,
              "gen_ai.usage.output_tokens": result.usage.completionTokens,
              "gen_ai.response.finish_reasons": result.finishReason === "" ? [] : [result.finishReason],
            });
            return result;
          });
    return { answer, inferenceMs: performance.now() - started };
  };

  return {
    execute: (request, call) => run(request, call),
    async *stream(request, call) {
      const stop = new AbortController();
      const deltas = new AsyncQueue<string>();
      const result = run(request, { ...call, signal: AbortSignal.any([call.signal, stop.signal]) }, (text) => deltas.push(text));
      result.then(
        () => deltas.close(),
        (error: unknown) => deltas.close(error),
      );
      try {
        for await (const text of deltas) yield text;
        return await result;
      } finally {
        stop.abort();
        result.catch(() => undefined);
      }
    },
    async load(name, version, backend, call) {
      const model = chatModelSource(name, version, backend);
      let entry: Entry;
      try {
        entry = entryFor(model, backend);
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
      return check(entry, call);
    },
    unload(name, version) {
      const ref = refOf(name, version);
      entries.get(ref)?.pool.close();
      entries.delete(ref);
    },
    close() {
      for (const entry of entries.values()) entry.pool.close();
      entries.clear();
    },
  };
}

/** The W3C `traceparent` of a span context; undefined for an invalid (all-zero) one. */
function traceparentOf(context: { traceId: string; spanId: string; traceFlags: number }): string | undefined {
  if (/^0+$/.test(context.traceId) || /^0+$/.test(context.spanId)) return undefined;
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}
