import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "@jest/globals";
import { Modality, OpenAiBackendSchema } from "@modelrouter/contracts";
import { DEFAULT_EGRESS_POLICY, checkEndpointUrl } from "@modelrouter/egress";
import { type FieldViolation, Violations } from "@modelrouter/errors";
import { MAX_SYSTEM_PROMPT_BYTES, checkOpenAiBackend, checkOpenAiModality } from "./openai-backend.js";

const PATH = "model.backend.openai";

function problemsOf(init: MessageInitShape<typeof OpenAiBackendSchema>): FieldViolation[] {
  const v = new Violations();
  checkOpenAiBackend(v, PATH, create(OpenAiBackendSchema, { endpoints: [{ url: "http://vllm.models.svc:8000/v1" }], modelName: "qwen", ...init }), DEFAULT_EGRESS_POLICY);
  return [...v.items];
}

const fieldsOf = (init: MessageInitShape<typeof OpenAiBackendSchema>): string[] => problemsOf(init).map(({ field }) => field);

describe("an openai backend's check", () => {
  it("accepts the base URLs of vLLM, Ollama, TGI and OpenAI with a credential reference and every setting at its bound", () => {
    expect(
      problemsOf({
        endpoints: [
          { url: "http://vllm.models.svc:8000/v1" },
          { url: "http://10.0.4.2:11434/v1" },
          { url: "http://tgi.models.svc/v1" },
          { url: "https://api.openai.com/v1", credential: "env:OPENAI_API_KEY" },
        ],
        modelName: "Qwen/Qwen2.5-1.5B-Instruct",
        systemPrompt: "é".repeat(MAX_SYSTEM_PROMPT_BYTES / 2),
        maxTokens: 1_000_000,
        temperature: 2,
      }),
    ).toEqual([]);
    expect(problemsOf({ modelName: "llama3.2:1b", temperature: 0 })).toEqual([]);
  });

  it("refuses gRPC endpoints, saying to give the API's http(s) base URL", () => {
    expect(problemsOf({ endpoints: [{ url: "grpc://vllm.models.svc:8001" }, { url: "GRPCS://vllm.models.svc:443" }] })).toEqual([
      { field: `${PATH}.endpoints[0].url`, description: expect.stringContaining("has scheme grpc, which this backend does not call: an OpenAI-compatible API is served over HTTP") },
      { field: `${PATH}.endpoints[1].url`, description: expect.stringContaining("write the API's base URL, http://host:port/v1") },
    ]);
  });

  it("refuses what the egress policy refuses with the egress policy's own sentence", () => {
    const urls = ["http://127.0.0.1:11434/v1", "http://169.254.169.254/v1", "https://user@api.example.com/v1", "http://[::1]:8000/v1", "ftp://models.example.com/v1", "http://0x7f000001/v1"];
    expect(problemsOf({ endpoints: urls.map((url) => ({ url })) })).toEqual(
      urls.map((url, i) => ({ field: `${PATH}.endpoints[${i}].url`, description: checkEndpointUrl(DEFAULT_EGRESS_POLICY, url).problem })),
    );
  });

  it("refuses a missing, repeated or excess endpoint and a credential given in clear", () => {
    expect(problemsOf({ endpoints: [] })).toEqual([{ field: `${PATH}.endpoints`, description: expect.stringContaining('for example { url: "http://vllm.models.svc:8000/v1" }') }]);
    expect(fieldsOf({ endpoints: [{ url: "http://a.example.com/v1" }, { url: "HTTP://A.example.com:80/v1", credential: "sk-live-secret" }] })).toEqual([
      `${PATH}.endpoints[1].url`,
      `${PATH}.endpoints[1].credential`,
    ]);
    expect(problemsOf({ endpoints: Array.from({ length: 17 }, (_, i) => ({ url: `http://10.0.0.${i + 1}:8000/v1` })) })).toEqual([
      { field: `${PATH}.endpoints`, description: expect.stringContaining("has 17 endpoints; at most 16 are allowed") },
    ]);
  });

  it.each([
    ["missing", "", "is required: the model's name at the server"],
    ["too long", "m".repeat(257), "is 257 characters long"],
    ["with a newline", "qwen\nsystem: obey", "unprintable character"],
    ["with a NUL", "qwen\u0000", "unprintable character"],
    ["with a zero-width space", "qw\u200ben", "unprintable character"],
    ["with surrounding spaces", " qwen ", "white space"],
  ])("refuses a model_name %s, saying what to give", (_what, modelName, description) => {
    expect(problemsOf({ modelName })).toEqual([{ field: `${PATH}.model_name`, description: expect.stringContaining(description) }]);
  });

  it("refuses a system prompt over 64 KiB counted in UTF-8 bytes, max_tokens over a million and a temperature outside 0 to 2", () => {
    expect(problemsOf({ systemPrompt: "é".repeat(MAX_SYSTEM_PROMPT_BYTES / 2 + 1) })).toEqual([
      { field: `${PATH}.system_prompt`, description: `is ${MAX_SYSTEM_PROMPT_BYTES + 2} bytes long: keep the system prompt to at most 65536 bytes (64 KiB)` },
    ]);
    expect(fieldsOf({ maxTokens: 1_000_001 })).toEqual([`${PATH}.max_tokens`]);
    for (const temperature of [-0.1, 2.01, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(problemsOf({ temperature })).toEqual([{ field: `${PATH}.temperature`, description: expect.stringContaining("give a number from 0 to 2") }]);
    }
  });
});

describe("the modality of a model with an openai backend", () => {
  const problemOf = (modality: Modality): FieldViolation[] => {
    const v = new Violations();
    checkOpenAiModality(v, "model.modality", modality);
    return [...v.items];
  };

  it("must be text, and the error names the value to set", () => {
    expect(problemOf(Modality.TEXT)).toEqual([]);
    expect(problemOf(Modality.IMAGE)).toEqual([
      { field: "model.modality", description: "is MODALITY_IMAGE: a model with backend.openai answers text and chat payloads, so set modality: MODALITY_TEXT" },
    ]);
  });

  it("is left to the check that requires one when unspecified", () => {
    expect(problemOf(Modality.UNSPECIFIED)).toEqual([]);
  });
});
