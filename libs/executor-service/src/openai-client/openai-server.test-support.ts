import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** The model id the fake server offers unless told otherwise. */
export const FAKE_CHAT_MODEL = "reverse-words";

/** Options of {@link startFakeOpenAiServer}. */
export interface FakeOpenAiServerOptions {
  /** The bearer token every request must carry (401 otherwise, echoing what it got); absent: none needed. */
  readonly token?: string;
  /** The model ids it offers (default [{@link FAKE_CHAT_MODEL}]); a request for another is 404. */
  readonly models?: readonly string[];
  /** Milliseconds between two deltas of a streamed answer (default 0). */
  readonly deltaDelayMs?: number;
  /** Where it listens (default 127.0.0.1, port 0: any free port). */
  readonly host?: string;
  readonly port?: number;
}

/** One request the fake server received. */
export interface FakeOpenAiRequest {
  readonly method: string;
  /** The path, such as "/v1/chat/completions". */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined for a GET or a body that is not JSON). */
  readonly body: unknown;
}

/** A running fake OpenAI-compatible server, its fault switches, and what it saw. */
export interface FakeOpenAiServer {
  /** The API's base URL, "http://127.0.0.1:PORT/v1", as a model registers it. */
  readonly url: string;
  /** Every request, in order. */
  readonly requests: readonly FakeOpenAiRequest[];
  /** Requests to `POST /v1/chat/completions` so far, failed ones included. */
  readonly completions: number;
  /** Answers whose connection the client closed before the server finished them (a client that gave up). */
  readonly closedEarly: number;
  /** The model ids offered (`GET /v1/models`); may be changed. */
  models: string[];
  /** Milliseconds between deltas; may be changed. */
  deltaDelayMs: number;
  /**
   * Fails the next `count` requests (of any path) with `status` and an OpenAI error body: 400
   * invalid_request_error, 401 invalid_api_key, 404 model_not_found, 429 rate_limit_exceeded, 500 server_error,
   * 503 (another: "error").
   */
  failNext(count: number, status: number, message?: string): void;
  /** The next streamed answer destroys its socket after `deltas` deltas (no `[DONE]`). */
  stopNextStreamAfter(deltas: number): void;
  /** The next streamed answer sends an `{"error": …}` event after `deltas` deltas, then ends without `[DONE]`. */
  errorNextStreamAfter(deltas: number, message?: string): void;
  /** Resolves once `count` answers in all closed early (see `closedEarly`). */
  waitForClosedEarly(count?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The deterministic "model" of the fake server: the last user message's words in reverse order. Deltas are one
 * per word ("world", " hello"); `max_tokens` cuts the answer to that many words (finish reason "length").
 */
export function reverseWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== "").reverse();
}

const errorTypes: Readonly<Record<number, { type: string; code: string | null; message: string }>> = {
  400: { type: "invalid_request_error", code: null, message: "Invalid request" },
  401: { type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided" },
  404: { type: "invalid_request_error", code: "model_not_found", message: "The model does not exist" },
  429: { type: "requests", code: "rate_limit_exceeded", message: "Rate limit reached for requests" },
  500: { type: "server_error", code: null, message: "The server had an error while processing your request" },
  503: { type: "server_error", code: "service_unavailable", message: "The server is overloaded or not ready yet" },
};

/** Waits `ms`, or less if the answer closes first. */
function pause(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on("close", done);
  });
}

interface Message {
  readonly role: string;
  readonly content: string;
}

/**
 * Starts a node:http server that follows the OpenAI API for `GET /v1/models` and `POST /v1/chat/completions`
 * (non-streamed, or streamed as server-sent events with `chat.completion.chunk`s, the usage chunk when
 * `stream_options.include_usage`, and `data: [DONE]`), errors as `{"error": {"message", "type", "code"}}`. Other
 * processes can reach it at `url` (give `host` and `port` to choose where it listens).
 */
export async function startFakeOpenAiServer(options: FakeOpenAiServerOptions = {}): Promise<FakeOpenAiServer> {
  const requests: FakeOpenAiRequest[] = [];
  const sockets = new Set<Socket>();
  const failures: { status: number; message: string | undefined }[] = [];
  const stream: { stopAfter: number | undefined; errorAfter: number | undefined; errorMessage: string } = { stopAfter: undefined, errorAfter: undefined, errorMessage: "" };
  let completions = 0;
  let closedEarly = 0;
  /** Answers the server cut off itself (`stopNextStreamAfter`): not a client that gave up. */
  const brokenOff = new WeakSet<ServerResponse>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const state = { models: [...(options.models ?? [FAKE_CHAT_MODEL])], deltaDelayMs: options.deltaDelayMs ?? 0 };

  const sendError = (res: ServerResponse, status: number, message?: string): void => {
    const kind = errorTypes[status] ?? { type: "error", code: null, message: "error" };
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: message ?? kind.message, type: kind.type, param: null, code: kind.code } }));
  };
  const sendJson = (res: ServerResponse, value: unknown): void => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  const watchClose = (res: ServerResponse): void => {
    res.on("close", () => {
      if (res.writableFinished || brokenOff.has(res)) return;
      closedEarly++;
      for (const waiter of waiters.splice(0)) {
        if (closedEarly >= waiter.count) waiter.resolve();
        else waiters.push(waiter);
      }
    });
  };

  const complete = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const request = body as { model?: unknown; messages?: unknown; stream?: unknown; max_tokens?: unknown; stream_options?: { include_usage?: unknown } } | undefined;
    const messages = request?.messages;
    if (typeof request?.model !== "string" || !Array.isArray(messages) || messages.length === 0) {
      return sendError(res, 400, "'model' and a non-empty 'messages' array are required");
    }
    if (!state.models.includes(request.model)) return sendError(res, 404, `The model \`${request.model}\` does not exist or you do not have access to it.`);
    const conversation = messages as Message[];
    const lastUser = [...conversation].reverse().find((m) => m.role === "user")?.content ?? "";
    let words = reverseWords(lastUser);
    let finishReason = "stop";
    if (typeof request.max_tokens === "number" && words.length > request.max_tokens) {
      words = words.slice(0, request.max_tokens);
      finishReason = "length";
    }
    const promptTokens = conversation.reduce((n, m) => n + reverseWords(m.content).length, 0);
    const usage = { prompt_tokens: promptTokens, completion_tokens: words.length, total_tokens: promptTokens + words.length };
    const id = `chatcmpl-${completions}`;
    const created = Math.floor(Date.now() / 1000);
    if (request.stream !== true) {
      return sendJson(res, {
        id,
        object: "chat.completion",
        created,
        model: request.model,
        choices: [{ index: 0, message: { role: "assistant", content: words.join(" ") }, logprobs: null, finish_reason: finishReason }],
        usage,
      });
    }
    const includeUsage = request.stream_options?.include_usage === true;
    const { stopAfter, errorAfter, errorMessage } = stream;
    stream.stopAfter = undefined;
    stream.errorAfter = undefined;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    let flushed = Promise.resolve();
    const event = (value: unknown): void => {
      flushed = new Promise((resolve) => res.write(`data: ${JSON.stringify(value)}\n\n`, () => resolve()));
    };
    const breakOff = async (): Promise<void> => {
      await flushed;
      brokenOff.add(res);
      req.socket.destroy();
    };
    const chunk = (delta: Record<string, string>, finish: string | null) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model: request.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
    event(chunk({ role: "assistant", content: "" }, null));
    for (const [i, word] of words.entries()) {
      if (i === stopAfter) return breakOff();
      if (i === errorAfter) {
        event({ error: { message: errorMessage, type: "server_error", code: null } });
        return void res.end();
      }
      if (state.deltaDelayMs > 0) await pause(state.deltaDelayMs, res);
      if (res.destroyed) return;
      event(chunk({ content: i === 0 ? word : ` ${word}` }, null));
    }
    if (stopAfter !== undefined) return breakOff();
    event(chunk({}, finishReason));
    if (includeUsage) event({ id, object: "chat.completion.chunk", created, model: request.model, choices: [], usage });
    res.end("data: [DONE]\n\n");
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = text === "" ? undefined : (JSON.parse(text) as unknown);
      } catch {
        body = undefined;
      }
      const path = (req.url ?? "").split("?")[0] ?? "";
      requests.push({ method: req.method ?? "", path, headers: req.headers, body });
      watchClose(res);
      const completion = req.method === "POST" && path === "/v1/chat/completions";
      if (completion) completions++;
      const failure = failures.shift();
      if (failure !== undefined) return sendError(res, failure.status, failure.message);
      const auth = req.headers.authorization;
      if (options.token !== undefined && auth !== `Bearer ${options.token}`) {
        const given = auth?.replace(/^Bearer /, "") ?? "";
        return sendError(res, 401, given === "" ? "You didn't provide an API key." : `Incorrect API key provided: ${given}.`);
      }
      if (req.method === "GET" && path === "/v1/models") {
        return sendJson(res, { object: "list", data: state.models.map((id) => ({ id, object: "model", created: 0, owned_by: "fake" })) });
      }
      if (completion) {
        if (text !== "" && body === undefined) return sendError(res, 400, "We could not parse the JSON body of your request.");
        return void complete(req, res, body);
      }
      sendError(res, 404, `Invalid URL (${req.method ?? ""} ${path})`);
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/v1`,
    requests,
    get completions() {
      return completions;
    },
    get closedEarly() {
      return closedEarly;
    },
    get models() {
      return state.models;
    },
    set models(ids: string[]) {
      state.models = ids;
    },
    get deltaDelayMs() {
      return state.deltaDelayMs;
    },
    set deltaDelayMs(ms: number) {
      state.deltaDelayMs = ms;
    },
    failNext(count, status, message) {
      for (let i = 0; i < count; i++) failures.push({ status, message });
    },
    stopNextStreamAfter(deltas) {
      stream.stopAfter = deltas;
    },
    errorNextStreamAfter(deltas, message = "The model crashed while generating") {
      stream.errorAfter = deltas;
      stream.errorMessage = message;
    },
    waitForClosedEarly(count = 1) {
      if (closedEarly >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
