import * as http from "node:http";
import * as https from "node:https";
import type { Code, RpcError } from "@modelrouter/rpc-kit";
import type { EndpointConnector } from "../oip-client/endpoint-connection.js";
import type { PooledTransport } from "../oip-client/endpoint-pool.js";
import type { EndpointUrl } from "../oip-client/endpoint-url.js";
import { type EndpointErrorOptions, endpointError } from "../oip-client/oip-errors.js";
import type { OipCall } from "../oip-client/oip-types.js";
import { chatStreamSink, jsonSink, OPENAI } from "./answer-sinks.js";
import { exchange } from "./http-exchange.js";
import { type ChatAnswer, type ChatCompletionCall, chatCompletionBody, readCompletion, readModelIds } from "./openai-wire.js";

/** Options of {@link createOpenAiTransport}. */
export interface OpenAiTransportOptions {
  readonly endpoint: EndpointUrl;
  readonly connector: EndpointConnector;
  /** The most bytes of an answer, streamed or not (default 16 MiB); a larger one fails the call. */
  readonly maxResponseBytes?: number;
}

/** One OpenAI-compatible endpoint (`{url}/models`, `{url}/chat/completions`); failures are `RpcError`s. */
export interface OpenAiTransport extends PooledTransport {
  /** The ids of the models the server offers (`GET {url}/models`). */
  modelIds(call: OipCall): Promise<readonly string[]>;
  /**
   * A chat completion (`POST {url}/chat/completions`). With `onDelta` the answer is streamed (server-sent events)
   * and each piece of text is passed to it as it arrives; the whole answer resolves at `data: [DONE]`.
   */
  complete(request: ChatCompletionCall, call: OipCall, onDelta?: (text: string) => void): Promise<ChatAnswer>;
}

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * An OpenAI-compatible endpoint over HTTP(S) through one keep-alive agent, connecting to the endpoint's pinned
 * addresses (see `exchange`); answers are read by `jsonSink` and `chatStreamSink`, with the credential hidden in
 * whatever they quote.
 */
export function createOpenAiTransport(options: OpenAiTransportOptions): OpenAiTransport {
  const { endpoint, connector } = options;
  const url = endpoint.url.href.replace(/\/+$/, "");
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  const agent = endpoint.tls ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const error = (code: Code, problem: string, errorOptions?: EndpointErrorOptions): RpcError => endpointError(OPENAI, code, url, problem, errorOptions);

  return {
    url,
    modelIds(call) {
      return exchange({
        agent,
        endpoint,
        connector,
        method: "GET",
        path: "/models",
        headers: { accept: "application/json" },
        call,
        maxResponseBytes,
        error,
        sink: (redact) => jsonSink({ url, error, redact }, readModelIds),
      });
    },
    complete(request, call, onDelta) {
      return exchange({
        agent,
        endpoint,
        connector,
        method: "POST",
        path: "/chat/completions",
        headers: {
          accept: onDelta === undefined ? "application/json" : "text/event-stream",
          ...(request.traceparent === undefined ? {} : { traceparent: request.traceparent }),
        },
        body: JSON.stringify(chatCompletionBody(request, onDelta !== undefined)),
        call,
        maxResponseBytes,
        error,
        sink: (redact) => (onDelta === undefined ? jsonSink({ url, error, redact }, readCompletion) : chatStreamSink({ url, error, redact }, onDelta)),
      });
    },
    close() {
      agent.destroy();
    },
  };
}
