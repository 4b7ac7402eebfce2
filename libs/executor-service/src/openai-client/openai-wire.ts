/** One message of a conversation as the OpenAI API takes it. */
export interface WireMessage {
  readonly role: string;
  readonly content: string;
}

/** What a chat completion call asks of the server. */
export interface ChatCompletionCall {
  /** The model's name at the server. */
  readonly model: string;
  readonly messages: readonly WireMessage[];
  /** The most tokens to generate; 0: the server's default. */
  readonly maxTokens: number;
  /** Absent: the server's default. */
  readonly temperature: number | undefined;
  /** The W3C trace context of the call's span, sent as the `traceparent` header; absent: none. */
  readonly traceparent?: string;
}

/** Tokens a generation cost, as the server counted them (0 when it did not say). */
export interface TokenCounts {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

/** A chat model's whole answer. */
export interface ChatAnswer {
  readonly text: string;
  /** "stop", "length", …; "" when the server did not say. */
  readonly finishReason: string;
  readonly usage: TokenCounts;
}

/** One chunk of a streamed answer: the next text, the finish reason once given, the usage once counted. */
export interface ChatChunk {
  readonly delta: string;
  readonly finishReason: string | undefined;
  readonly usage: TokenCounts | undefined;
}

/** The JSON body of `POST /chat/completions` (with `stream_options.include_usage` when streamed). */
export function chatCompletionBody(call: ChatCompletionCall, stream: boolean): Record<string, unknown> {
  return {
    model: call.model,
    messages: call.messages.map((m) => ({ role: m.role, content: m.content })),
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    ...(call.maxTokens > 0 ? { max_tokens: call.maxTokens } : {}),
    ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
  };
}

const NO_USAGE: TokenCounts = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The answer of a non-streamed chat completion: `choices[0].message.content` (null: ""), `finish_reason` and
 * `usage`; the problem, phrased to follow "the answer", when the body does not have that shape.
 */
export function readCompletion(body: unknown): ChatAnswer | string {
  if (!isObject(body)) return "is not a JSON object";
  const choices = body.choices;
  if (!Array.isArray(choices) || choices.length === 0) return "has no choices";
  const choice: unknown = choices[0];
  if (!isObject(choice) || !isObject(choice.message)) return "has no choices[0].message";
  const content = choice.message.content;
  if (content !== null && content !== undefined && typeof content !== "string") return "has a choices[0].message.content that is not a string";
  const finish = readFinishReason(choice.finish_reason);
  if (finish === null) return "has a choices[0].finish_reason that is not a string";
  const usage = readUsage(body.usage);
  if (typeof usage === "string") return usage;
  return { text: content ?? "", finishReason: finish ?? "", usage: usage ?? NO_USAGE };
}

/** A streamed chunk (`chat.completion.chunk`): the delta's content, the finish reason, the usage; or the problem. */
export function readChunk(body: unknown): ChatChunk | string {
  if (!isObject(body)) return "is not a JSON object";
  const choices = body.choices ?? [];
  if (!Array.isArray(choices)) return "has choices that are not an array";
  const choice: unknown = choices[0];
  let delta = "";
  let finish: string | undefined;
  if (choice !== undefined) {
    if (!isObject(choice)) return "has a choices[0] that is not an object";
    const content = isObject(choice.delta) ? choice.delta.content : undefined;
    if (content !== null && content !== undefined && typeof content !== "string") return "has a choices[0].delta.content that is not a string";
    delta = content ?? "";
    const reason = readFinishReason(choice.finish_reason);
    if (reason === null) return "has a choices[0].finish_reason that is not a string";
    finish = reason;
  }
  const usage = readUsage(body.usage);
  if (typeof usage === "string") return usage;
  return { delta, finishReason: finish, usage };
}

/** The ids of `GET /models` (`{"data": [{"id": …}, …]}`); or the problem. */
export function readModelIds(body: unknown): string[] | string {
  if (!isObject(body) || !Array.isArray(body.data)) return "has no data array";
  const ids: string[] = [];
  for (const entry of body.data as unknown[]) {
    if (!isObject(entry) || typeof entry.id !== "string") return "has a data entry without a string id";
    ids.push(entry.id);
  }
  return ids;
}

/** The error an error body or event holds (`{"error": …}`), or undefined. */
export function errorOf(body: unknown): unknown {
  return isObject(body) && body.error !== undefined && body.error !== null ? body.error : undefined;
}

/** A finish reason: the string, undefined when absent or null, null when of another type. */
function readFinishReason(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : null;
}

function readUsage(value: unknown): TokenCounts | undefined | string {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) return "has a usage that is not an object";
  const count = (name: string): number | string => {
    const n = value[name] ?? 0;
    return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff ? n : `has a usage.${name} that is not a count of tokens`;
  };
  const prompt = count("prompt_tokens");
  const completion = count("completion_tokens");
  const total = count("total_tokens");
  if (typeof prompt === "string") return prompt;
  if (typeof completion === "string") return completion;
  if (typeof total === "string") return total;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total };
}
