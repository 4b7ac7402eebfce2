import { Code, type RpcError } from "@modelrouter/rpc-kit";
import { type EndpointErrorOptions, httpError, quoteRemote, remoteMessage } from "../oip-client/oip-errors.js";
import type { ResponseSink } from "./http-exchange.js";
import { type ChatAnswer, errorOf, readChunk, readCompletion, type TokenCounts } from "./openai-wire.js";
import { SseParser } from "./sse-parser.js";

/** The protocol's name in error messages ("OpenAI endpoint http://…: …"). */
export const OPENAI = "OpenAI";

/** What a sink needs to fail a call: the endpoint, its error maker, and what hides the credential in quoted text. */
export interface SinkContext {
  readonly url: string;
  readonly error: (code: Code, problem: string, options?: EndpointErrorOptions) => RpcError;
  readonly redact: (text: string) => string;
}

/** The longest line of an event stream held while waiting for its end. */
export const MAX_PENDING_LINE = 1024 * 1024;

/**
 * Reads a whole JSON answer with `read` (which returns the problem, phrased to follow "a body that", when the body
 * has the wrong shape). A status other than 2xx is the mapped error of `httpError`, quoting the server's message
 * (OpenAI's `{"error": {"message", "type", "code"}}`); a body that is not JSON, or of the wrong shape, is INTERNAL
 * with a quoted, cut excerpt.
 */
export function jsonSink<R>(context: SinkContext, read: (body: unknown) => R | string): ResponseSink<R> {
  const { url, error, redact } = context;
  let status = 0;
  const chunks: Buffer[] = [];
  return {
    head: (s) => {
      status = s;
    },
    chunk: (data) => {
      chunks.push(data);
    },
    end: () => {
      const text = redact(Buffer.concat(chunks).toString("utf8"));
      if (status < 200 || status >= 300) throw httpError(url, status, text, OPENAI);
      let body: unknown;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        throw error(Code.INTERNAL, `answered HTTP ${status} with a body that is not JSON: ${quoteRemote(text)}`);
      }
      const value = read(body);
      if (typeof value === "string") throw error(Code.INTERNAL, `answered with a body that ${value}: ${quoteRemote(text)}`);
      return value;
    },
    broken: (problem) => error(Code.UNAVAILABLE, `${problem} during the answer`),
  };
}

/**
 * Reads a streamed chat completion: server-sent events of `chat.completion.chunk`s, each delta's text passed to
 * `onDelta` as it arrives, the finish reason and the usage chunk kept, until `data: [DONE]`. An error event
 * (`{"error": …}` or `event: error`), or a stream that ends or breaks before `[DONE]`, is UNAVAILABLE "the server's
 * stream broke after N deltas: …"; a chunk of the wrong shape is INTERNAL. An answer that is not an event stream
 * (an error status, or a server that ignored `stream`) is read by {@link jsonSink}: the error it maps, or the
 * whole answer passed on as one delta.
 */
export function chatStreamSink(context: SinkContext, onDelta: (text: string) => void): ResponseSink<ChatAnswer> {
  const { error, redact } = context;
  const parser = new SseParser();
  const whole = jsonSink(context, readCompletion);
  let streaming = false;
  let done = false;
  let deltas = 0;
  const text: string[] = [];
  let finishReason = "";
  let usage: TokenCounts | undefined;
  const broke = (problem: string): RpcError => error(Code.UNAVAILABLE, `the server's stream broke after ${deltas} deltas: ${problem}`);

  const onEvents = (events: ReturnType<SseParser["push"]>): void => {
    for (const event of events) {
      if (done) return;
      if (event.data.trim() === "[DONE]") {
        done = true;
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(event.data) as unknown;
      } catch {
        throw error(Code.INTERNAL, `sent an event whose data is not JSON: ${quoteRemote(redact(event.data))}`);
      }
      if (event.event === "error" || errorOf(body) !== undefined) throw broke(remoteMessage(redact(event.data)));
      const chunk = readChunk(body);
      if (typeof chunk === "string") throw error(Code.INTERNAL, `sent a chunk that ${chunk}: ${quoteRemote(redact(event.data))}`);
      if (chunk.finishReason !== undefined) finishReason = chunk.finishReason;
      if (chunk.usage !== undefined) usage = chunk.usage;
      if (chunk.delta !== "") {
        deltas++;
        text.push(chunk.delta);
        onDelta(chunk.delta);
      }
    }
  };

  return {
    head: (status, headers) => {
      streaming = status === 200 && (headers["content-type"] ?? "").toLowerCase().startsWith("text/event-stream");
      if (!streaming) whole.head(status, headers);
    },
    chunk: (data) => {
      if (!streaming) return whole.chunk(data);
      onEvents(parser.push(data));
      if (parser.pendingLength > MAX_PENDING_LINE) throw error(Code.RESOURCE_EXHAUSTED, `sent an event line longer than ${MAX_PENDING_LINE} characters`);
    },
    end: () => {
      if (!streaming) {
        const answer = whole.end();
        if (answer.text !== "") onDelta(answer.text);
        return answer;
      }
      onEvents(parser.end());
      if (!done) throw broke("the stream ended before data: [DONE]");
      return { text: text.join(""), finishReason, usage: usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 } };
    },
    broken: (problem) => (streaming ? broke(problem) : whole.broken(problem)),
  };
}
