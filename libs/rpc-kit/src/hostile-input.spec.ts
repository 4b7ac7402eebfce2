import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create, toBinary, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema, type Value } from "@bufbuild/protobuf/wkt";
import { AnalyzeRequestSchema, AnalyzerService, OpenRequestSchema, TunnelService } from "@modelrouter/contracts";
import { Code } from "./code.js";
import { createConnectEdge, type ConnectEdge } from "./connect-edge.js";
import { grpcTopology, scriptedAnalyzer, type Observations } from "./kit.test-support.js";
import { RawGrpcClient, frame } from "./raw-grpc.test-support.js";
import { serviceRegistration } from "./service-types.js";

const ANALYZE = "/modelrouter.analyzer.v1.AnalyzerService/Analyze";

/** A valid request whose `metadata["k"]` value is the given bytes (so that invalid UTF-8 can be planted). */
function requestWithMetadataValue(value: Uint8Array): Uint8Array {
  const marker = new TextEncoder().encode("@@@@");
  const bytes = toBinary(AnalyzeRequestSchema, create(AnalyzeRequestSchema, { payload: { kind: { case: "text", value: "ok" } }, metadata: { k: "@@@@" } }));
  const at = Buffer.from(bytes).indexOf(Buffer.from(marker));
  const out = Buffer.from(bytes);
  Buffer.from(value).copy(out, at);
  return out;
}

/** A JSON payload nested `depth` lists deep. */
function nestedValue(depth: number): Value {
  let json: JsonValue = 1;
  for (let i = 0; i < depth; i++) json = [json];
  const value = create(ValueSchema, { kind: { case: "numberValue", value: 1 } });
  let current: Value = value;
  for (let i = 0; i < depth; i++) current = create(ValueSchema, { kind: { case: "listValue", value: { values: [current] } } });
  return current;
}

describe("a gRPC server given what a hostile or careless client sends", () => {
  const observations: Observations = { contexts: [], aborted: [], unexpected: [] };
  let served: Awaited<ReturnType<typeof grpcTopology<typeof AnalyzerService>>>;
  let raw: RawGrpcClient;

  beforeAll(async () => {
    served = await grpcTopology(AnalyzerService, scriptedAnalyzer(observations), (error) => observations.unexpected.push(error));
    raw = new RawGrpcClient(`127.0.0.1:${served.port}`);
  });
  afterAll(async () => {
    raw.close();
    await served.close();
  });

  it("answers a request it can decode", async () => {
    const body = toBinary(AnalyzeRequestSchema, create(AnalyzeRequestSchema, { payload: { kind: { case: "text", value: "ok" } } }));
    expect((await raw.call(ANALYZE, frame(body))).status).toBe(Code.OK);
  });

  it.each([
    ["invalid UTF-8 in a map value", requestWithMetadataValue(Uint8Array.from([0xff, 0xfe, 0xfd, 0xfc])), 'metadata["k"]'],
    ["a message nested deeper than 100 levels", toBinary(AnalyzeRequestSchema, create(AnalyzeRequestSchema, { payload: { kind: { case: "json", value: nestedValue(120) } } })), "payload.json"],
    ["a length running past the end", Uint8Array.from([0x0a, 0x80, 0x01, 0x01]), "payload"],
    ["a string field sent as a varint", Uint8Array.from([0x0a, 0x02, 0x08, 0x01]), "payload.text"],
  ])("refuses %s with INVALID_ARGUMENT naming the field, never INTERNAL", async (_what, body, field) => {
    const outcome = await raw.call(ANALYZE, frame(body));
    expect(outcome.status).toBe(Code.INVALID_ARGUMENT);
    expect(outcome.fields).toHaveLength(1);
    expect(outcome.fields[0]!.startsWith(field)).toBe(true);
    expect(observations.unexpected).toEqual([]);
  });

  it("takes gzip-compressed messages, and refuses a message flagged as gzip that is not gzip with INVALID_ARGUMENT, never INTERNAL", async () => {
    const body = toBinary(AnalyzeRequestSchema, create(AnalyzeRequestSchema, { payload: { kind: { case: "text", value: "ok" } } }));
    const compressed = (message: Uint8Array) => {
      const framed = frame(message);
      framed[0] = 1;
      return framed;
    };
    expect((await raw.call(ANALYZE, compressed(gzipSync(body)), { "grpc-encoding": "gzip" })).status).toBe(Code.OK);
    const garbled = Buffer.from(gzipSync(body)).subarray(0, 12);
    const outcome = await raw.call(ANALYZE, compressed(garbled), { "grpc-encoding": "gzip" });
    expect(outcome.status).toBe(Code.INVALID_ARGUMENT);
    expect(outcome.fields).toEqual(["request"]);
    const deflated = await raw.call(ANALYZE, compressed(body), { "grpc-encoding": "snappy" });
    expect(deflated.status).toBe(Code.INVALID_ARGUMENT);
    expect(deflated.fields).toEqual(["grpc-encoding"]);
  });

  it("answers an error that echoes a huge client value with a bounded status (one that trailers can carry)", async () => {
    const longName = new TextEncoder().encode("x".repeat(60_000));
    const request = Buffer.concat([Buffer.from([0x0a, 0xe0, 0xd4, 0x03]), Buffer.from(longName)]); // HealthCheckRequest { service: 60,000 × "x" }
    const outcome = await raw.call("/grpc.health.v1.Health/Check", frame(request), { "grpc-timeout": "5S" }, 8000);
    expect(outcome.status).toBe(Code.NOT_FOUND);
    expect(outcome.message.length).toBeLessThan(1100);
  });

  it("lowers a huge grpc-timeout to its maximum instead of failing the call at once", async () => {
    const body = toBinary(AnalyzeRequestSchema, create(AnalyzeRequestSchema, { payload: { kind: { case: "text", value: "ok" } } }));
    for (const timeout of ["99999999S", "2147484S", "99999999H"]) {
      expect((await raw.call(ANALYZE, frame(body), { "grpc-timeout": timeout })).status).toBe(Code.OK);
    }
  });

  it.each(["soon", "10", "1.5S", "123456789m", "-1S"])("refuses grpc-timeout %j with INVALID_ARGUMENT naming the header", async (timeout) => {
    const body = toBinary(AnalyzeRequestSchema, create(AnalyzeRequestSchema, { payload: { kind: { case: "text", value: "ok" } } }));
    const outcome = await raw.call(ANALYZE, frame(body), { "grpc-timeout": timeout });
    expect(outcome.status).toBe(Code.INVALID_ARGUMENT);
    expect(outcome.fields).toEqual(["grpc-timeout"]);
  });

  it("keeps a client that resets thousands of calls (short deadlines) from losing the calls in flight with them", async () => {
    const hang = toBinary(AnalyzeRequestSchema, create(AnalyzeRequestSchema, { payload: { kind: { case: "text", value: "hang" } } }));
    const ok = toBinary(AnalyzeRequestSchema, create(AnalyzeRequestSchema, { payload: { kind: { case: "text", value: "ok" } } }));
    const client = new RawGrpcClient(`127.0.0.1:${served.port}`);
    try {
      // 50 calls in flight on the first connection, while 3,000 calls are each reset after 1 ms, as a client's
      // deadline resets them: nghttp2 would answer the 1,000th reset with GOAWAY(INTERNAL_ERROR), failing all.
      const slow = toBinary(AnalyzeRequestSchema, create(AnalyzeRequestSchema, { payload: { kind: { case: "text", value: "slow" } } }));
      const inFlight = Promise.all(Array.from({ length: 50 }, () => client.call(ANALYZE, frame(slow))));
      const reset = [];
      for (let batch = 0; batch < 30; batch++) {
        reset.push(...(await Promise.all(Array.from({ length: 100 }, () => client.call(ANALYZE, frame(hang), {}, 1)))));
      }
      expect(reset.filter((o) => o.status === Code.INTERNAL || o.rstCode === 2)).toEqual([]);
      expect((await inFlight).filter((o) => o.status !== Code.OK)).toEqual([]);
      // The server closed connections gracefully and the client opened new ones: each close announced first (a
      // GOAWAY naming the highest stream id, RFC 9113 §6.8), so that no stream on its way is refused.
      expect(client.connections).toBeGreaterThan(1);
      expect(client.goaways[0]).toEqual({ code: 0, lastStreamId: 2 ** 31 - 1 });
      expect(client.goaways.filter((g) => g.code !== 0)).toEqual([]);
      const after = await Promise.all(Array.from({ length: 50 }, () => client.call(ANALYZE, frame(ok))));
      expect(after.map((o) => o.status)).toEqual(Array(50).fill(Code.OK));
    } finally {
      client.close();
    }
  }, 60_000);

  it("ends a bidi stream with its status when the client half-closes, as grpcurl expects (reflection)", async () => {
    const request = new Uint8Array([0x3a, 0x00]); // ServerReflectionRequest { list_services: "" }
    const outcome = await raw.call("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", frame(request), {}, 5000);
    expect(outcome.status).toBe(Code.OK);
    expect(outcome.responses).toHaveLength(1);
  });

  it("ends a tunnel with OK once the client half-closes and its calls have answered", async () => {
    const call = create(OpenRequestSchema, {
      callId: 1n,
      method: ANALYZE,
      message: toBinary(AnalyzeRequestSchema, create(AnalyzeRequestSchema, { payload: { kind: { case: "text", value: "ok" } } })),
      timeoutMs: 5000,
    });
    const outcome = await raw.call(`/${TunnelService.typeName}/Open`, frame(toBinary(OpenRequestSchema, call)), {}, 5000);
    expect(outcome.status).toBe(Code.OK);
    expect(outcome.responses).toHaveLength(1);
  });
});

describe("the Connect edge given what a careless client sends", () => {
  let edge: ConnectEdge;
  let base: string;
  const unexpected: unknown[] = [];

  beforeAll(async () => {
    edge = createConnectEdge({
      services: [serviceRegistration(AnalyzerService, scriptedAnalyzer({ contexts: [], aborted: [], unexpected: [] }))],
      onUnexpectedError: (error) => unexpected.push(error),
      maxBodyBytes: 64 * 1024,
    });
    base = `http://127.0.0.1:${await edge.listen("127.0.0.1", 0)}`;
  });
  afterAll(() => edge.close());

  const post = (body: string | Buffer, headers: Record<string, string> = { "content-type": "application/json" }) =>
    fetch(`${base}${ANALYZE}`, { method: "POST", headers, body });
  const fieldsOf = async (response: Response) => {
    const body = (await response.json()) as { code: string; details?: { type: string; debug: { fieldViolations?: { field: string }[] } }[] };
    const badRequest = body.details?.find((d) => d.type === "google.rpc.BadRequest");
    return { code: body.code, fields: badRequest?.debug.fieldViolations?.map((v) => v.field) ?? [] };
  };

  it.each([
    ["a field of the wrong type", JSON.stringify({ payload: { text: 5 } }), "payload.text"],
    ["an unknown field", JSON.stringify({ payload: { txet: "x" } }), "payload.txet"],
    ["a map value of the wrong type", JSON.stringify({ metadata: { k: [1] } }), "metadata"],
    ["JSON nested deeper than protobuf allows", JSON.stringify({ payload: { json: JSON.parse("[".repeat(150) + "]".repeat(150)) as JsonValue } }), "payload.json"],
    ["text that is not JSON", "{ nope", "request"],
  ])("refuses %s with INVALID_ARGUMENT naming the field", async (_what, body, field) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const { code, fields } = await fieldsOf(response);
    expect(code).toBe("invalid_argument");
    expect(fields.length).toBeGreaterThan(0);
    expect(fields[0]!.startsWith(field)).toBe(true);
  });

  it("refuses a binary body it cannot decode, naming the field", async () => {
    const response = await post(Buffer.from([0x0a, 0x02, 0x08, 0x01]), { "content-type": "application/proto" });
    expect(await fieldsOf(response)).toEqual({ code: "invalid_argument", fields: ["payload.text"] });
  });

  it("refuses a body over the limit with RESOURCE_EXHAUSTED", async () => {
    const response = await post(JSON.stringify({ payload: { text: "x".repeat(200 * 1024) } }));
    expect(response.status).toBe(429);
    expect((await fieldsOf(response)).code).toBe("resource_exhausted");
  });

  it("lowers a timeout of 2^31 ms or more instead of failing at once, and refuses a malformed one naming the header", async () => {
    const ok = JSON.stringify({ payload: { text: "ok" } });
    expect((await post(ok, { "content-type": "application/json", "connect-timeout-ms": String(2 ** 31) })).status).toBe(200);
    expect((await post(ok, { "content-type": "application/json", "connect-timeout-ms": "9999999999" })).status).toBe(200);
    const bad = await post(ok, { "content-type": "application/json", "connect-timeout-ms": "soon" });
    expect(await fieldsOf(bad)).toEqual({ code: "invalid_argument", fields: ["connect-timeout-ms"] });
  });

  it("refuses an unsupported content type, naming it", async () => {
    const response = await post("x", { "content-type": "text/plain" });
    expect(response.status).toBe(415);
    expect((await fieldsOf(response)).fields).toEqual(["content-type"]);
  });

  it("never reports a bug for any of it", () => {
    expect(unexpected).toEqual([]);
  });
});
