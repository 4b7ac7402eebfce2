import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import {
  InferResponseSchema,
  InferStreamResponseSchema,
  ModelSchema,
  RouterService,
  type InferRequest,
} from "@modelrouter/contracts";
import { Code, RpcError, createGrpcServer, serviceRegistration, type GrpcServer, type ServiceImpl } from "@modelrouter/rpc-kit";
import { chatFromFile } from "./chat-args.js";
import { capture } from "./io.test-support.js";
import { main } from "./main.js";
import { readManifests } from "./manifests.js";
import { printStream } from "./stream-output.js";
import { backendCell, modelTable } from "./models-command.js";
import { inferRequestOf } from "./payload-args.js";

const OPENAI_MODEL = `name: chat-small
version: "1"
task: chat
modality: MODALITY_TEXT
status: MODEL_STATUS_ACTIVE
backend:
  openai:
    endpoints:
      - url: http://ollama.models.svc:11434/v1
      - url: http://ollama-2.models.svc:11434/v1
        credential: env:OLLAMA_KEY
    modelName: llama3.2:1b
    systemPrompt: You are brief.
    maxTokens: 256
    temperature: 0.2
`;

const done = (request: InferRequest, text: string) =>
  create(InferResponseSchema, {
    requestId: request.requestId || "req-1",
    model: { name: "chat-small", version: "1" },
    policy: "chat",
    outputs: [{ value: { case: "generation", value: { text, finishReason: "stop", usage: { promptTokens: 7, completionTokens: 3, totalTokens: 10 } } } }],
  });

/**
 * A RouterService that answers every chat request with "Hello, you." (three deltas), names what it was sent, and
 * fails a request whose user id is "breaks" after its first delta.
 */
function scriptedRouter(received: InferRequest[]): ServiceImpl<typeof RouterService> {
  const unimplemented = () => Promise.reject(new RpcError({ code: Code.UNIMPLEMENTED, message: "not in this test" }));
  return {
    infer: async (request) => {
      received.push(request);
      return done(request, "Hello, you.");
    },
    async *inferStream({ request }) {
      received.push(request!);
      yield create(InferStreamResponseSchema, {
        event: { case: "start", value: { requestId: "req-1", policy: "chat", model: { name: "chat-small", version: "1" }, fallbacks: [{ name: "chat-tiny", version: "2" }], traceId: "abc123" } },
      });
      for (const text of ["Hello", ", ", "you."]) {
        yield create(InferStreamResponseSchema, { event: { case: "delta", value: { text } } });
        if (request!.userId === "breaks") throw new RpcError({ code: Code.UNAVAILABLE, message: "the model server's stream broke" });
      }
      yield create(InferStreamResponseSchema, { event: { case: "done", value: done(request!, "Hello, you.") } });
    },
    explain: unimplemented,
    submitFeedback: unimplemented,
  };
}

describe("modelrouter infer with chat models", () => {
  let dir: string;
  let server: GrpcServer;
  let address: string;
  const received: InferRequest[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "modelrouter-chat-"));
    server = createGrpcServer({ services: [serviceRegistration(RouterService, scriptedRouter(received))] });
    address = `127.0.0.1:${await server.listen("127.0.0.1:0")}`;
  });
  afterAll(async () => {
    await server.shutdown(100);
    await rm(dir, { recursive: true, force: true });
  });

  it("sends --chat FILE as a chat payload, its messages in order", async () => {
    const file = join(dir, "chat.json");
    await writeFile(file, JSON.stringify([{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }]));
    expect(inferRequestOf({ chat: file }).payload?.kind).toEqual({
      case: "chat",
      value: { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }] },
    });
  });

  it("reads --chat - from standard input", () => {
    expect(chatFromFile("-", () => '[{"role": "user", "content": "from stdin"}]')).toEqual([{ role: "user", content: "from stdin" }]);
  });

  it("sends repeated --message role:content as one conversation, keeping ':' in the content", () => {
    expect(inferRequestOf({ message: ["system:Answer in French.", "user:What time is it? 10:30?"] }).payload?.kind).toEqual({
      case: "chat",
      value: { messages: [{ role: "system", content: "Answer in French." }, { role: "user", content: "What time is it? 10:30?" }] },
    });
  });

  it.each([
    ['[{"role": "user"}]', 'message 1: "content" must be a non-empty string'],
    ['[{"role": "robot", "content": "x"}]', 'message 1: "role" must be one of system, user, assistant'],
    ['{"role": "user", "content": "x"}', 'expected a JSON list of {"role": "system"|"user"|"assistant", "content": "…"}'],
    ["[{role: user}]", "not valid JSON"],
  ])("refuses a --chat file holding %s, naming the flag and the fix (exit 2, no call)", async (json, message) => {
    const file = join(dir, `bad-${received.length}-${json.length}.json`);
    await writeFile(file, json);
    const io = capture();
    expect(await main(["--router", "127.0.0.1:9", "infer", "--chat", file], io, {})).toBe(2);
    expect(io.errText()).toContain(`--chat ${file}: ${message}`);
  });

  it.each([
    [["--message", "hello"], '--message hello: expected role:content with a role of system, user, assistant, for example --message "user:Hello"'],
    [["--message", "user:"], "--message user:: expected role:content"],
    [["--chat", "/nonexistent/chat.json"], "--chat /nonexistent/chat.json: cannot read the file"],
    [["--message", "user:hi", "--text", "hi"], "give exactly one input"],
  ])("refuses infer %j before calling (exit 2)", async (args, message) => {
    const io = capture();
    expect(await main(["--router", "127.0.0.1:9", "infer", ...args], io, {})).toBe(2);
    expect(io.errText()).toContain(message);
  });

  it("streams: the decision as one line on stderr, the text on stdout as it comes, then the model and tokens on stderr", async () => {
    const io = capture();
    expect(await main(["--router", address, "infer", "--message", "user:Say hello", "--stream"], io, {})).toBe(0);
    expect(io.chunks).toEqual(["Hello", ", ", "you.", "\n"]);
    expect(io.errors).toEqual([
      'decision chat-small@1 by policy "chat", default route, fallbacks chat-tiny@2 (request req-1, trace abc123)',
      "answered by chat-small@1, finish stop, tokens 7 prompt + 3 completion = 10",
    ]);
    expect(received.at(-1)?.payload?.kind).toMatchObject({ case: "chat", value: { messages: [{ role: "user", content: "Say hello" }] } });
  });

  it("streams --text to a chat model as well", async () => {
    const io = capture();
    expect(await main(["--router", address, "infer", "--text", "Say hello", "--stream"], io, {})).toBe(0);
    expect(io.chunks.join("")).toBe("Hello, you.\n");
    expect(received.at(-1)?.payload?.kind).toEqual({ case: "text", value: "Say hello" });
  });

  it("ends the line of text before reporting a stream that broke mid-answer (exit 1)", async () => {
    const io = capture();
    expect(await main(["--router", address, "infer", "--text", "hi", "--user", "breaks", "--stream"], io, {})).toBe(1);
    expect(io.chunks).toEqual(["Hello", "\n"]);
    expect(io.errText()).toContain("error: UNAVAILABLE: the model server's stream broke");
  });

  it("prints the answer of a model that does not stream (start, then done alone) as JSON on stdout", async () => {
    async function* classified() {
      yield create(InferStreamResponseSchema, { event: { case: "start", value: { requestId: "r-2", policy: "digits", rule: "scans", model: { name: "digits-lite", version: "1" } } } });
      yield create(InferStreamResponseSchema, {
        event: { case: "done", value: { requestId: "r-2", model: { name: "digits-lite", version: "1" }, outputs: [{ value: { case: "classification", value: { labels: [{ label: "7", score: 0.9 }] } } }] } },
      });
    }
    const io = capture();
    await printStream(io, classified());
    expect(io.chunks).toEqual([]);
    expect(JSON.parse(io.outText())).toMatchObject({ model: { name: "digits-lite" }, outputs: [{ classification: { labels: [{ label: "7" }] } }] });
    expect(io.errors).toEqual(['decision digits-lite@1 by policy "digits", rule "scans" (request r-2)', "answered by digits-lite@1"]);
  });

  it("prints a streamed answer as one line when the output cannot be written piece by piece", async () => {
    const io = capture();
    const lineOnly = { out: io.out, err: io.err };
    expect(await main(["--router", address, "infer", "--text", "hi", "--stream"], lineOnly, {})).toBe(0);
    expect(io.lines).toEqual(["Hello, you."]);
  });

  it("prints a chat model's answer as JSON without --stream", async () => {
    const io = capture();
    expect(await main(["--router", address, "infer", "--text", "hi"], io, {})).toBe(0);
    expect(JSON.parse(io.outText())).toMatchObject({ outputs: [{ generation: { text: "Hello, you.", finishReason: "stop" } }] });
  });

  it("reads an openai backend from a model manifest as `models register -f` does", async () => {
    const file = join(dir, "chat-model.yaml");
    await writeFile(file, OPENAI_MODEL);
    const [model] = readManifests(ModelSchema, [file]);
    expect(model?.backend?.kind).toMatchObject({
      case: "openai",
      value: {
        endpoints: [{ url: "http://ollama.models.svc:11434/v1" }, { url: "http://ollama-2.models.svc:11434/v1", credential: "env:OLLAMA_KEY" }],
        modelName: "llama3.2:1b",
        systemPrompt: "You are brief.",
        maxTokens: 256,
        temperature: 0.2,
      },
    });
  });

  it("lists an openai model with its model name and first endpoint, never its credential", async () => {
    const file = join(dir, "chat-model-list.yaml");
    await writeFile(file, OPENAI_MODEL);
    const models = readManifests(ModelSchema, [file]);
    expect(backendCell(models[0]!)).toBe("openai:llama3.2:1b@http://ollama.models.svc:11434/v1(+1)");
    const [header, row] = modelTable(models);
    expect(header!.split(/\s{2,}/)).toEqual(["NAME", "VERSION", "STATUS", "MODALITY", "TASK", "BACKEND", "TENANT", "LABELS"]);
    expect(row!.split(/\s+/)).toEqual(["chat-small", "1", "ACTIVE", "text", "chat", "openai:llama3.2:1b@http://ollama.models.svc:11434/v1(+1)", "-", "-"]);
    expect(row).not.toContain("OLLAMA_KEY");
  });
});
