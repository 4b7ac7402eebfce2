import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code as ConnectCode, ConnectError, createClient } from "@connectrpc/connect";
import { compressionGzip, createConnectTransport } from "@connectrpc/connect-node";
import { AnalyzerService, BadRequestSchema, ErrorInfoSchema } from "@modelrouter/contracts";
import { createConnectEdge, type ConnectEdge } from "./connect-edge.js";
import { scriptedAnalyzer } from "./kit.test-support.js";
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
