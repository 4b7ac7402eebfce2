import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type ExecuteRequest, ExecuteRequestSchema, type OipBackend, OipBackendSchema } from "@modelrouter/contracts";
import { Code, RpcError } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { parseEgressPolicy } from "@modelrouter/egress";
import { egressEndpointAccess } from "./endpoint-access.js";
import { codeOfHttpStatus } from "./oip-errors.js";
import { type FakeServer, startFakeGrpcServer, startFakeRestServer } from "./oip-servers.test-support.js";
import { createRemoteModels, type RemoteModels } from "./remote-models.js";

type BackendInit = MessageInitShape<typeof OipBackendSchema>;

const lines: string[] = [];
const logger = createLogger({ service: "executor", level: "info", write: (line) => lines.push(line) });
const SECRET = "s3cr3t-token-value";
const loopbackAllowed = parseEgressPolicy({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1" }).policy!;
const access = egressEndpointAccess(loopbackAllowed, { OIP_TOKEN: SECRET });

const classification = { kind: { case: "classification" as const, value: { labels: ["cat", "dog", "bird"] } } };

function request(backend: BackendInit, values: number[] = [0.1, 0.7, 0.2, 0]): ExecuteRequest {
  return create(ExecuteRequestSchema, {
    requestId: "req-1",
    model: { name: "scores", version: "1" },
    backend: { kind: { case: "oip", value: backend } },
    payload: { kind: { case: "tensor", value: { dataType: 1, shape: [1, values.length], floatData: values } } },
  });
}

const backendOf = (init: BackendInit): OipBackend => create(OipBackendSchema, init);

const call = (timeoutMs = 5_000, signal: AbortSignal = new AbortController().signal) => ({ deadline: Date.now() + timeoutMs, signal });

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

async function failure(promise: Promise<unknown>): Promise<RpcError> {
  const error = await rejection(promise);
  if (error instanceof RpcError) return error;
  throw error;
}

const labelsOf = (result: Awaited<ReturnType<RemoteModels["execute"]>>) => {
  const [output] = result.outputs;
  return output?.kind === "classification" ? output.labels.map((l) => l.label) : [];
};

describe("a model on an OIP v2 server", () => {
  const servers: FakeServer[] = [];
  let remote: RemoteModels;
  const start = async (kind: "rest" | "grpc", mode: FakeServer["mode"] = "ok") => {
    const server = kind === "rest" ? await startFakeRestServer(mode) : await startFakeGrpcServer(mode);
    servers.push(server);
    return server;
  };

  beforeAll(() => {
    remote = createRemoteModels({ access, healthIntervalMs: 0, logger });
  });

  afterEach(async () => {
    remote.close();
    remote = createRemoteModels({ access, healthIntervalMs: 0, logger });
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  afterAll(() => remote.close());

  describe.each(["rest", "grpc"] as const)("over %s", (kind) => {
    it("sends the payload as the model's first input, asks for its first output, and answers with the post-processed labels", async () => {
      const server = await start(kind);
      const result = await remote.execute(request({ endpoints: [{ url: server.url }], postprocessing: classification }), call());
      expect(labelsOf(result)).toEqual(["dog", "bird", "cat"]);
      expect(server.infers).toHaveLength(1);
      const body = server.infers[0]?.body as { inputs: { name: string; shape: unknown[]; datatype: string }[] };
      expect(body.inputs[0]).toMatchObject({ name: "INPUT0", datatype: "FP32" });
      expect(body.inputs[0]?.shape.map(Number)).toEqual([1, 4]);
    });

    it("serves a request that has no deadline", async () => {
      const server = await start(kind);
      const result = await remote.execute(request({ endpoints: [{ url: server.url }], postprocessing: classification }), call(Infinity));
      expect(labelsOf(result)).toEqual(["dog", "bird", "cat"]);
    });

    it("sends the endpoint's credential as a bearer token, read from its reference", async () => {
      const server = await start(kind);
      await remote.execute(request({ endpoints: [{ url: server.url, credential: "env:OIP_TOKEN" }], postprocessing: classification }), call());
      expect(server.infers[0]?.headers["authorization"]).toBe(`Bearer ${SECRET}`);
    });

    it("answers INVALID_ARGUMENT quoting the server's message when the server refuses the tensor", async () => {
      const server = await start(kind, "refuse");
      const error = await failure(remote.execute(request({ endpoints: [{ url: server.url }] }), call()));
      expect(error.code).toBe(Code.INVALID_ARGUMENT);
      expect(error.message).toContain(server.url.replace(/\/?$/, ""));
      expect(error.message).toContain("unexpected shape for input 'INPUT0'");
    });

    it("answers DEADLINE_EXCEEDED when the server does not answer before the request's deadline", async () => {
      const server = await start(kind);
      expect(await remote.load("scores", "1", backendOf({ endpoints: [{ url: server.url }] }), call())).toBeUndefined();
      server.mode = "hang";
      const error = await failure(remote.execute(request({ endpoints: [{ url: server.url }] }), call(300)));
      expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
    });

    it("answers CANCELLED when the caller cancels while the server works", async () => {
      const server = await start(kind);
      await remote.execute(request({ endpoints: [{ url: server.url }] }), call());
      server.mode = "hang";
      const abort = new AbortController();
      const pending = failure(remote.execute(request({ endpoints: [{ url: server.url }] }), call(10_000, abort.signal)));
      setTimeout(() => abort.abort(), 50);
      expect((await pending).code).toBe(Code.CANCELLED);
    });

    it("serves from the other endpoint when one answers UNAVAILABLE", async () => {
      const down = await start(kind, "unavailable");
      const up = await start(kind);
      const backend = { endpoints: [{ url: down.url }, { url: up.url }], postprocessing: classification };
      for (let i = 0; i < 6; i++) expect(labelsOf(await remote.execute(request(backend), call()))).toEqual(["dog", "bird", "cat"]);
      expect(up.infers).toHaveLength(6);
    });

    it("answers UNAVAILABLE when its only endpoint is unavailable, so that the router falls back", async () => {
      const down = await start(kind, "unavailable");
      const error = await failure(remote.execute(request({ endpoints: [{ url: down.url }] }), call()));
      expect(error.code).toBe(Code.UNAVAILABLE);
      expect(error.message).toContain("loading");
    });

    it("answers FAILED_PRECONDITION naming the model when the server does not have it", async () => {
      const server = await start(kind);
      const error = await failure(remote.execute(request({ endpoints: [{ url: server.url }], modelName: "digits", modelVersion: "2" }), call()));
      expect(error.code).toBe(Code.FAILED_PRECONDITION);
      expect(error.message).toContain(`has no model "digits" version "2" (backend.oip.model_name, model_version)`);
      expect(error.message).toContain("Request for unknown model");
    });

    it("serves from the other endpoint when one refuses connections, since the request never left", async () => {
      const gone = await start(kind);
      await gone.close();
      const up = await start(kind);
      const backend = { endpoints: [{ url: gone.url }, { url: up.url }], postprocessing: classification };
      for (let i = 0; i < 4; i++) expect(labelsOf(await remote.execute(request(backend), call()))).toEqual(["dog", "bird", "cat"]);
      expect(up.infers).toHaveLength(4);
    });

    it("refuses a version whose input_name the server's model does not have, naming the inputs it has", async () => {
      const server = await start(kind);
      const backend = { endpoints: [{ url: server.url }], inputName: "pixels" };
      const error = await failure(remote.execute(request(backend), call()));
      expect(error.code).toBe(Code.FAILED_PRECONDITION);
      expect(error.message).toContain('backend.oip.input_name "pixels" is not an input of the model; its inputs are "INPUT0"');
      expect(server.infers).toHaveLength(0);
    });
  });

  it("over REST, answers UNAVAILABLE when the server closes the connection after taking the request, without sending it to another", async () => {
    const first = await start("rest");
    const second = await start("rest");
    const backend = { endpoints: [{ url: first.url }, { url: second.url }] };
    await remote.execute(request(backend), call());
    first.mode = "close";
    second.mode = "close";
    const error = await failure(remote.execute(request(backend), call()));
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(error.message).toMatch(/the connection failed \((ECONNRESET|socket hang up)\)/);
    expect(first.infers.length + second.infers.length).toBe(2);
  });

  it("over REST, refuses an answer larger than the executor's bound", async () => {
    const small = createRemoteModels({ access, healthIntervalMs: 0, logger, maxResponseBytes: 64 });
    const server = await start("rest");
    const error = await failure(small.execute(request({ endpoints: [{ url: server.url }] }), call()));
    small.close();
    expect(error.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(error.message).toContain("larger than 64 bytes");
  });

  it("over REST with binary_data, sends the input as binary tensor data and reads the binary answer", async () => {
    const server = await start("rest");
    const result = await remote.execute(request({ endpoints: [{ url: server.url }], binaryData: true, postprocessing: classification }), call());
    expect(labelsOf(result)).toEqual(["dog", "bird", "cat"]);
    expect(server.infers[0]?.binaryBytes).toBe(16);
    expect(server.infers[0]?.body).toMatchObject({ inputs: [{ name: "INPUT0", parameters: { binary_data_size: 16 } }] });
  });

  it("serves over a base path, as a KServe InferenceService URL may have", async () => {
    const server = await start("rest");
    const result = await remote.execute(request({ endpoints: [{ url: `${server.url}/serving/digits/` }], postprocessing: classification }), call());
    expect(labelsOf(result)).toEqual(["dog", "bird", "cat"]);
    expect(server.paths).toContain("/serving/digits/v2/models/scores/infer");
  });

  it("asks for the model version the backend names", async () => {
    const server = await start("rest");
    await remote.execute(request({ endpoints: [{ url: server.url }], modelVersion: "3" }), call());
    expect(server.paths).toContain("/v2/models/scores/versions/3/infer");
  });

  it("checks at load that the pre-processing's tensor fits the model's input, naming both shapes, and logs it", async () => {
    const server = await start("grpc");
    const text = { buckets: 8, charNgramMin: 1, charNgramMax: 3 };
    const backend = backendOf({ endpoints: [{ url: server.url }], preprocessing: { kind: { case: "text", value: text } } });
    const problem = await remote.load("scores", "1", backend, call());
    expect(problem).toBe(
      'backend.oip.preprocessing (text) makes a float32 [1, 8] tensor but the model\'s input "INPUT0" takes float32 [?, 4] (FP32 [-1, 4])',
    );
    expect(lines.some((l) => l.includes("not servable") && l.includes("[1, 8]"))).toBe(true);
    const textRequest = create(ExecuteRequestSchema, {
      requestId: "req-2",
      model: { name: "scores", version: "1" },
      backend: { kind: { case: "oip", value: backend } },
      payload: { kind: { case: "text", value: "hello" } },
    });
    const error = await failure(remote.execute(textRequest, call()));
    expect(error.code).toBe(Code.FAILED_PRECONDITION);
    expect(error.message).toContain("model scores@1 cannot be served by its OIP endpoints: backend.oip.preprocessing (text) makes");
  });

  it("never writes the credential to a log line", () => {
    expect(lines.join("\n")).not.toContain(SECRET);
  });

  it("names the endpoint field when a registered URL is not an OIP endpoint", async () => {
    const error = await rejection(remote.execute(request({ endpoints: [{ url: "ftp://models.example.com" }] }), call()));
    expect(error.message).toContain('backend.oip.endpoints[0].url has scheme "ftp:"; use grpc://, grpcs://, http:// or https://');
  });
});

describe("the HTTP status table of OIP REST errors", () => {
  it("maps 400, 404, 429 and 503 as the gRPC mapping of HTTP does, and other 5xx to INTERNAL except gateway errors", () => {
    expect([400, 401, 403, 404, 408, 429, 500, 501, 502, 503, 504, 409].map(codeOfHttpStatus)).toEqual([
      Code.INVALID_ARGUMENT,
      Code.UNAUTHENTICATED,
      Code.PERMISSION_DENIED,
      Code.NOT_FOUND,
      Code.DEADLINE_EXCEEDED,
      Code.RESOURCE_EXHAUSTED,
      Code.INTERNAL,
      Code.INTERNAL,
      Code.UNAVAILABLE,
      Code.UNAVAILABLE,
      Code.UNAVAILABLE,
      Code.FAILED_PRECONDITION,
    ]);
  });
});
