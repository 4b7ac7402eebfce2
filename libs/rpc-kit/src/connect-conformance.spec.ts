import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code as ConnectCode, ConnectError, createClient } from "@connectrpc/connect";
import { compressionGzip, createConnectTransport } from "@connectrpc/connect-node";
import { create } from "@bufbuild/protobuf";
import { AnalyzerService, BadRequestSchema, ErrorInfoSchema, RegistryService, WatchModelsResponseSchema } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { createConnectEdge, type ConnectEdge } from "./connect-edge.js";
import { scriptedAnalyzer, withUnimplemented } from "./kit.test-support.js";
import { serviceRegistration } from "./service-types.js";

/** connect-es's own client against modelrouter's Connect edge: the protocol as its authors implement it. */
describe.each([
  ["JSON", false],
  ["binary", true],
] as const)("a connect-es client speaking %s to the Connect edge", (_format, useBinaryFormat) => {
  let edge: ConnectEdge;
  let client: ReturnType<typeof createClient<typeof AnalyzerService>>;

  beforeAll(async () => {
    edge = createConnectEdge({
      services: [serviceRegistration(AnalyzerService, scriptedAnalyzer({ contexts: [], aborted: [], unexpected: [] }))],
    });
    const port = await edge.listen("127.0.0.1", 0);
    const transport = createConnectTransport({
      baseUrl: `http://127.0.0.1:${port}`,
      httpVersion: "1.1",
      useBinaryFormat,
      sendCompression: compressionGzip,
      compressMinBytes: 16,
    });
    client = createClient(AnalyzerService, transport);
  });
  afterAll(() => edge.close());

  it("gets the answer, with headers reaching the handler", async () => {
    const response = await client.analyze({ payload: { kind: { case: "text", value: "ok" } }, metadata: { long: "x".repeat(100) } }, { headers: { "x-test": "connect-es" } });
    expect(response.profile?.metadata).toMatchObject({ seenHeader: "connect-es", transport: "connect" });
  });

  it("gets errors with their code, ErrorInfo and BadRequest details", async () => {
    const error = await client.analyze({ payload: { kind: { case: "text", value: "invalid" } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    const connectError = error as ConnectError;
    expect(connectError.code).toBe(ConnectCode.InvalidArgument);
    expect(connectError.findDetails(ErrorInfoSchema)[0]?.reason).toBe("INVALID_FIELD");
    expect(connectError.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => v.field)).toEqual(["payload.text", 'metadata["k"]']);
  });

  it("has its timeout honoured: a call that outlives it ends DEADLINE_EXCEEDED", async () => {
    const error = await client.analyze({ payload: { kind: { case: "text", value: "slow" } } }, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect((error as ConnectError).code).toBe(ConnectCode.DeadlineExceeded);
  });

  it("gets NOT_FOUND reasons unchanged", async () => {
    const error = (await client.analyze({ payload: { kind: { case: "text", value: "not-found" } } }).catch((e: unknown) => e)) as ConnectError;
    expect(error.code).toBe(ConnectCode.NotFound);
    expect(error.findDetails(ErrorInfoSchema)[0]?.metadata).toEqual({ model: "x" });
  });
});

/** connect-es's own client reading a server stream from the Connect edge, in both codecs. */
describe.each([
  ["JSON", false],
  ["binary", true],
] as const)("a connect-es client reading a server stream in %s from the Connect edge", (_format, useBinaryFormat) => {
  let edge: ConnectEdge;
  let client: ReturnType<typeof createClient<typeof RegistryService>>;

  beforeAll(async () => {
    const impl = withUnimplemented(RegistryService, {
      async *watchModels(request) {
        // since_revision 1: three messages; 2: two, then an error.
        for (let revision = 1n; revision <= 3n; revision++) {
          if (request.sinceRevision === 2n && revision === 3n) throw new DomainError(ErrorReason.SERVICE_NOT_READY, "the store went away");
          yield create(WatchModelsResponseSchema, { revision });
        }
      },
    });
    edge = createConnectEdge({ services: [serviceRegistration(RegistryService, impl)] });
    const port = await edge.listen("127.0.0.1", 0);
    const transport = createConnectTransport({ baseUrl: `http://127.0.0.1:${port}`, httpVersion: "1.1", useBinaryFormat, sendCompression: compressionGzip, compressMinBytes: 1 });
    client = createClient(RegistryService, transport);
  });
  afterAll(() => edge.close());

  it("gets every message in order, then the end", async () => {
    const seen: bigint[] = [];
    for await (const message of client.watchModels({ sinceRevision: 1n }, { timeoutMs: 10_000 })) seen.push(message.revision);
    expect(seen).toEqual([1n, 2n, 3n]);
  });

  it("gets the messages sent before a failure, then the error with its code and ErrorInfo", async () => {
    const seen: bigint[] = [];
    const error = await (async () => {
      for await (const message of client.watchModels({ sinceRevision: 2n })) seen.push(message.revision);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1n, 2n]);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(ConnectCode.Unavailable);
    expect((error as ConnectError).findDetails(ErrorInfoSchema)[0]?.reason).toBe("SERVICE_NOT_READY");
  });
});
