import { Modality, type OpenAiBackend } from "@modelrouter/contracts";
import type { EgressPolicy } from "@modelrouter/egress";
import type { Violations } from "@modelrouter/errors";
import { MAX_ENDPOINTS, checkEndpoints } from "./endpoints.js";

/** The most endpoints (instances) one OpenAI-compatible model version may list. */
export const MAX_OPENAI_ENDPOINTS = MAX_ENDPOINTS;
/** The longest `model_name` (the model's name at the server). */
export const MAX_OPENAI_MODEL_NAME_LENGTH = 256;
/** The largest `system_prompt`, in UTF-8 bytes: 64 KiB. */
export const MAX_SYSTEM_PROMPT_BYTES = 64 * 1024;
/** The largest `max_tokens`. */
export const MAX_MAX_TOKENS = 1_000_000;
/** The highest `temperature` (OpenAI's API takes 0 to 2). */
export const MAX_TEMPERATURE = 2;

/** Control, format, private-use, unassigned and surrogate code points, and line and paragraph separators. */
const UNPRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;

/**
 * Checks an `openai` backend for RegisterModel: its endpoints ({@link checkEndpoints}: 1 to
 * {@link MAX_OPENAI_ENDPOINTS}, each an `http://` or `https://` base URL accepted by the egress policy, each
 * credential a reference), a `model_name` (required, printable, at most {@link MAX_OPENAI_MODEL_NAME_LENGTH}
 * characters), a `system_prompt` of at most {@link MAX_SYSTEM_PROMPT_BYTES}, `max_tokens` at most
 * {@link MAX_MAX_TOKENS} and a finite `temperature` from 0 to {@link MAX_TEMPERATURE}. Such a model has no pre- or
 * post-processing. Problems are recorded under `path` (`model.backend.openai`).
 */
export function checkOpenAiBackend(v: Violations, path: string, openai: OpenAiBackend, egress: EgressPolicy): void {
  checkEndpoints(v, path, openai.endpoints, egress, {
    example: '{ url: "http://vllm.models.svc:8000/v1" }',
    schemes: ["https", "http"],
    schemeFix: "an OpenAI-compatible API is served over HTTP: write the API's base URL, http://host:port/v1 or https://host/v1",
  });
  checkModelName(v, `${path}.model_name`, openai.modelName);
  const promptBytes = new TextEncoder().encode(openai.systemPrompt).byteLength;
  if (promptBytes > MAX_SYSTEM_PROMPT_BYTES) {
    v.add(`${path}.system_prompt`, `is ${promptBytes} bytes long: keep the system prompt to at most ${MAX_SYSTEM_PROMPT_BYTES} bytes (64 KiB)`);
  }
  if (openai.maxTokens > MAX_MAX_TOKENS) {
    v.add(`${path}.max_tokens`, `is ${openai.maxTokens}: give at most ${MAX_MAX_TOKENS} tokens, or 0 for the server's default`);
  }
  const temperature = openai.temperature;
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
    v.add(`${path}.temperature`, `is ${temperature}: give a number from 0 to ${MAX_TEMPERATURE}, or leave it out for the server's default`);
  }
}

/**
 * Records at `field` a modality other than MODALITY_TEXT for a model whose backend is `openai` (a chat model
 * takes `text` and `chat` payloads). An unspecified modality is left to the check that requires one.
 */
export function checkOpenAiModality(v: Violations, field: string, modality: Modality): void {
  if (modality === Modality.TEXT || modality === Modality.UNSPECIFIED) return;
  const name = Modality[modality] === undefined ? String(modality) : `MODALITY_${Modality[modality]}`;
  v.add(field, `is ${name}: a model with backend.openai answers text and chat payloads, so set modality: MODALITY_TEXT`);
}

function checkModelName(v: Violations, field: string, name: string): void {
  if (name === "") {
    v.add(field, 'is required: the model\'s name at the server (the "model" of its requests), for example "Qwen/Qwen2.5-1.5B-Instruct" or "llama3.2:1b"');
  } else if (name.length > MAX_OPENAI_MODEL_NAME_LENGTH) {
    v.add(field, `is ${name.length} characters long: keep the model's name at the server to at most ${MAX_OPENAI_MODEL_NAME_LENGTH}`);
  } else if (UNPRINTABLE.test(name)) {
    v.add(field, "contains a control or other unprintable character: give the model's name as the server lists it at GET /v1/models");
  } else if (name.trim() !== name) {
    v.add(field, "starts or ends with white space: remove it");
  }
}
