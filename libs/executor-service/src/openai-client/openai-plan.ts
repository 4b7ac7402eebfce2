import type { ExecuteRequest, OpenAiBackend, Payload } from "@modelrouter/contracts";
import { DomainError, ErrorReason, Violations } from "@modelrouter/errors";
import { checkChat } from "@modelrouter/syntax";
import { modelUnavailable } from "../model-errors.js";
import { MAX_ENDPOINTS } from "../oip-client/remote-models.js";
import { type EndpointUrl, parseEndpointUrl } from "../oip-client/endpoint-url.js";
import { checkRequestModel } from "../request-model.js";
import type { WireMessage } from "./openai-wire.js";

/** A chat model version as registered: for messages (`uri` lists its endpoints) and to know when to reconnect (`key`). */
export interface ChatModelSource {
  readonly name: string;
  readonly version: string;
  readonly uri: string;
  readonly key: string;
}

/** An Execute request for a model on OpenAI-compatible servers, validated and planned. */
export interface ChatPlan {
  readonly model: ChatModelSource;
  readonly backend: OpenAiBackend;
  readonly endpoints: readonly EndpointUrl[];
  /** The conversation to send: the system prompt first (unless the conversation starts with one), then the payload's. */
  readonly messages: readonly WireMessage[];
}

/** The sampling temperatures the OpenAI API accepts. */
export const MAX_TEMPERATURE = 2;

/**
 * Validates an `ExecuteRequest` whose backend is `openai` and plans it: a `text` payload is one user message, a
 * `chat` payload its messages (checked by `checkChat`); the backend's `system_prompt` goes first unless the
 * conversation starts with a system message.
 *
 * @throws DomainError INVALID_FIELD listing every bad field of the request (model, an empty text, a malformed
 *   chat); PAYLOAD_UNSUPPORTED naming `payload` for any other kind of payload; MODEL_UNAVAILABLE naming the
 *   `backend.openai` field when the registration cannot be served (see {@link checkChatBackend}).
 */
export function planChat(request: ExecuteRequest): ChatPlan {
  const v = new Violations();
  const { name, version } = checkRequestModel(request, v);
  const backend = request.backend?.kind.case === "openai" ? request.backend.kind.value : undefined;
  if (backend === undefined) v.add("backend.openai", "is required");
  const payload = request.payload;
  if (payload === undefined || payload.kind.case === undefined) v.add("payload", "is required: send text, or a chat conversation");
  else if (payload.kind.case === "text" && payload.kind.value.trim() === "") v.add("payload.text", "is empty: send the message the model should answer");
  else if (payload.kind.case === "chat") checkChat(payload.kind.value, "payload.chat", v);
  v.throwIfAny("invalid execute request");
  if (backend === undefined || payload === undefined) throw new DomainError(ErrorReason.INTERNAL, "chat request planning lost a validated field");
  const model = chatModelSource(name, version, backend);
  const endpoints = checkChatBackend(model, backend);
  return { model, backend, endpoints, messages: withSystemPrompt(backend.systemPrompt, conversationOf(model, payload)) };
}

/**
 * Checks a registered `openai` backend: 1 to {@link MAX_ENDPOINTS} endpoints, each an `http://` or `https://`
 * base URL; a `model_name`; a temperature from 0 to {@link MAX_TEMPERATURE}. Returns the parsed endpoints.
 *
 * @throws DomainError MODEL_UNAVAILABLE (the registration is wrong, not the request: the router may fall back)
 *   naming the field and the fix.
 */
export function checkChatBackend(model: ChatModelSource, backend: OpenAiBackend): EndpointUrl[] {
  if (backend.endpoints.length === 0 || backend.endpoints.length > MAX_ENDPOINTS) {
    throw modelUnavailable(model, `its backend.openai.endpoints lists ${backend.endpoints.length} endpoints; register 1 to ${MAX_ENDPOINTS}`);
  }
  const endpoints = backend.endpoints.map((e, i) => {
    const field = `backend.openai.endpoints[${i}].url`;
    const parsed = parseEndpointUrl(e.url);
    if (typeof parsed === "string") throw modelUnavailable(model, `its ${field} ${parsed}`, { metadata: { field } });
    if (parsed.protocol !== "rest") {
      throw modelUnavailable(model, `its ${field} is a gRPC URL; an OpenAI-compatible API is served over HTTP: use the API's base URL, such as "http://host:8000/v1"`, { metadata: { field } });
    }
    return parsed;
  });
  if (backend.modelName.trim() === "") {
    throw modelUnavailable(model, `its backend.openai.model_name is empty: give the model's name at the server, such as "llama3.2:1b"`, { metadata: { field: "backend.openai.model_name" } });
  }
  const t = backend.temperature;
  if (t !== undefined && !(t >= 0 && t <= MAX_TEMPERATURE)) {
    throw modelUnavailable(model, `its backend.openai.temperature is ${t}; use 0 to ${MAX_TEMPERATURE}, or leave it out for the server's default`, { metadata: { field: "backend.openai.temperature" } });
  }
  return endpoints;
}

/** The `ChatModelSource` of a chat model version; its key changes with anything its connections depend on. */
export function chatModelSource(name: string, version: string, backend: OpenAiBackend): ChatModelSource {
  const key = JSON.stringify([name, version, backend.endpoints.map((e) => [e.url, e.credential]), backend.modelName]);
  return { name, version, uri: `openai:${backend.endpoints.map((e) => e.url).join(",")}`, key };
}

function conversationOf(model: ChatModelSource, payload: Payload): WireMessage[] {
  const kind = payload.kind;
  if (kind.case === "text") return [{ role: "user", content: kind.value }];
  if (kind.case === "chat") return kind.value.messages.map((m) => ({ role: m.role, content: m.content }));
  const ref = `${model.name}@${model.version}`;
  const got = kind.case === undefined ? "empty" : `a ${kind.case} payload`;
  throw new DomainError(ErrorReason.PAYLOAD_UNSUPPORTED, `model ${ref} is a chat model and takes text or a chat conversation; the payload is ${got}`, {
    metadata: { model: model.name, version: model.version, payloadKind: kind.case ?? "" },
    violations: [{ field: "payload", description: `is ${got}, but model ${ref} is a chat model: send text, or a chat conversation (payload.chat)` }],
  });
}

function withSystemPrompt(systemPrompt: string, conversation: WireMessage[]): WireMessage[] {
  if (systemPrompt === "" || conversation[0]?.role === "system") return conversation;
  return [{ role: "system", content: systemPrompt }, ...conversation];
}
