import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Modality, type Model, ModelSchema, type OpenAiBackend, OpenAiBackendSchema } from "@modelrouter/contracts";
import { type EgressPolicy, parseEgressPolicy } from "@modelrouter/egress";
import { Code } from "@modelrouter/rpc-kit";
import { type Backend, type Registry, pgliteBackend, rpcErrorOf, uniqueName, validModel } from "./registry.test-support.js";

/** A valid chat model behind an OpenAI-compatible API. */
function chatModel(openai: MessageInitShape<typeof OpenAiBackendSchema>, overrides: Partial<Pick<Model, "name" | "modality">> = {}): Model {
  return validModel({
    name: overrides.name ?? uniqueName(),
    task: "chat",
    modality: overrides.modality ?? Modality.TEXT,
    labels: { family: "qwen" },
    backend: { kind: { case: "openai", value: create(OpenAiBackendSchema, { modelName: "Qwen/Qwen2.5-1.5B-Instruct", ...openai }) } },
  });
}

const openaiOf = (model: Model | undefined): OpenAiBackend => {
  const kind = model?.backend?.kind;
  if (kind?.case !== "openai") throw new Error("not an openai model");
  return kind.value;
};

const SECRET = "sk-proj-v3ry-s3cret-key";

/** Hostile endpoint URLs of every kind the egress corpus holds, written as an OpenAI API's base URL. */
const HOSTILE = [
  ["http://127.0.0.1:11434/v1", "address 127.0.0.1 is loopback"],
  ["http://localhost:8000/v1", "localhost"],
  ["http://2130706433/v1", "address 127.0.0.1 is loopback"],
  ["http://0177.0.0.1/v1", "address 127.0.0.1 is loopback"],
  ["http://[::1]:8000/v1", "loopback (::1)"],
  ["http://[::ffff:127.0.0.1]/v1", "IPv4-mapped IPv6 form"],
  ["http://169.254.169.254/latest/meta-data", "cloud metadata service"],
  ["http://metadata.google.internal/v1", "cloud metadata service"],
  ["http://[fe80::1]/v1", "link-local"],
  ["http://0.0.0.0:8000/v1", "unspecified"],
  ["https://api.example.com@10.0.0.1/v1", "user information"],
  ["https://api.example.com/v1?key=x", "a query"],
  ["https://api.example.com/v1#x", "a fragment"],
  ["http://api.example.com\\@127.0.0.1/v1", "backslash"],
  ["file:///etc/passwd", 'scheme "file", which an executor cannot call'],
  ["grpc://127.0.0.1:8001", "an OpenAI-compatible API is served over HTTP"],
] as const;

function policyOf(settings: Record<string, string>): EgressPolicy {
  const result = parseEgressPolicy(settings);
  if (result.policy === undefined) throw new Error(result.problems.join("; "));
  return result.policy;
}

describe("RegisterModel with an openai backend (a chat model behind an OpenAI-compatible API)", () => {
  let backend: Backend;
  let registry: Registry;

  beforeAll(async () => {
    backend = await pgliteBackend();
    registry = await backend.open();
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const violationsOf = async (on: Registry, model: Model): Promise<{ field: string; description: string }[]> => {
    const error = await rpcErrorOf(on.client.registerModel({ model }));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    return error.violations.map(({ field, description }) => ({ field, description }));
  };

  it("stores the endpoints, credential references and generation settings, and every read returns them as given", async () => {
    const openai = {
      endpoints: [{ url: "http://vllm-0.models.svc:8000/v1" }, { url: "https://api.openai.com/v1", credential: "env:OPENAI_API_KEY" }],
      systemPrompt: "Answer in one sentence.",
      maxTokens: 512,
      temperature: 0.7,
    };
    const model = chatModel(openai);
    const registered = (await registry.client.registerModel({ model })).model!;
    expect(openaiOf(registered)).toMatchObject({ ...openai, modelName: "Qwen/Qwen2.5-1.5B-Instruct" });
    expect(openaiOf(registered).endpoints.map(({ credential }) => credential)).toEqual(["", "env:OPENAI_API_KEY"]);
    expect((await registry.client.getModel({ name: model.name, version: "1" })).model).toEqual(registered);
    expect((await registry.client.listModels({ pageSize: 1000, modality: Modality.TEXT })).models.find((m) => m.name === model.name)).toEqual(registered);
  });

  it("keeps an unset temperature unset (the server's default), and a temperature of 0 as 0", async () => {
    const unset = (await registry.client.registerModel({ model: chatModel({ endpoints: [{ url: "http://vllm.models.svc:8000/v1" }] }) })).model;
    expect(openaiOf(unset).temperature).toBeUndefined();
    const zero = (await registry.client.registerModel({ model: chatModel({ endpoints: [{ url: "http://vllm.models.svc:8000/v1" }], temperature: 0 }) })).model;
    expect(openaiOf(zero).temperature).toBe(0);
  });

  it("refuses a model that is not text, a gRPC endpoint, a missing model name and bad settings, each at its path with its fix", async () => {
    const model = chatModel(
      { endpoints: [{ url: "grpc://vllm.models.svc:8001" }], modelName: "", maxTokens: 2_000_000, temperature: 3 },
      { modality: Modality.IMAGE },
    );
    expect(await violationsOf(registry, model)).toEqual([
      { field: "model.modality", description: expect.stringContaining("so set modality: MODALITY_TEXT") },
      { field: "model.backend.openai.endpoints[0].url", description: expect.stringContaining("write the API's base URL, http://host:port/v1") },
      { field: "model.backend.openai.model_name", description: expect.stringContaining("is required") },
      { field: "model.backend.openai.max_tokens", description: expect.stringContaining("at most 1000000") },
      { field: "model.backend.openai.temperature", description: expect.stringContaining("from 0 to 2") },
    ]);
  });

  it("refuses an API key given in clear, saying to reference it, without repeating it in the answer or a log line", async () => {
    const logsBefore = registry.logs.length;
    const error = await rpcErrorOf(registry.client.registerModel({ model: chatModel({ endpoints: [{ url: "https://api.openai.com/v1", credential: SECRET }] }) }));
    expect(error.violations).toEqual([
      { field: "model.backend.openai.endpoints[0].credential", description: expect.stringContaining("give env:NAME or file:/path") },
    ]);
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(error.message).not.toContain(SECRET);
    expect(registry.logs.slice(logsBefore).join("\n")).not.toContain(SECRET);
  });

  it("refuses every hostile endpoint URL, each at its path, saying what is refused", async () => {
    // At most 16 endpoints per model: the corpus goes in one model per URL.
    for (const [url, refused] of HOSTILE) {
      expect(await violationsOf(registry, chatModel({ endpoints: [{ url }] }))).toEqual([
        { field: "model.backend.openai.endpoints[0].url", description: expect.stringContaining(refused) },
      ]);
    }
  });

  it("registers a local server on loopback only where the egress policy allows it", async () => {
    const model = chatModel({ endpoints: [{ url: "http://127.0.0.1:11434/v1" }], modelName: "llama3.2:1b" });
    expect((await violationsOf(registry, model))[0]?.description).toContain("add 127.0.0.1/32 to MODELROUTER_EGRESS_ALLOW");
    const configured = await backend.openFresh({ service: { egress: policyOf({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1/32" }) } });
    try {
      const registered = await configured.client.registerModel({ model });
      expect(openaiOf(registered.model).endpoints[0]?.url).toBe("http://127.0.0.1:11434/v1");
    } finally {
      await configured.close();
    }
  }, 120_000);

  it("updates a chat model's labels and status like any other model's, keeping its backend", async () => {
    const registered = (await registry.client.registerModel({ model: chatModel({ endpoints: [{ url: "http://vllm.models.svc:8000/v1" }] }) })).model!;
    const update = create(ModelSchema, { name: registered.name, version: registered.version, labels: { family: "qwen", tier: "premium" } });
    const updated = (await registry.client.updateModel({ model: update, updateMask: { paths: ["labels"] } })).model;
    expect(updated?.labels).toEqual({ family: "qwen", tier: "premium" });
    expect(openaiOf(updated)).toEqual(openaiOf(registered));
  });
});
