import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { RegistryService, WatchModelsRequestSchema, WatchModelsResponseSchema } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { createConnectEdge, type ConnectEdge } from "./connect-edge.js";
import { withUnimplemented } from "./kit.test-support.js";
import { serviceRegistration } from "./service-types.js";

const WATCH = "/modelrouter.registry.v1.RegistryService/WatchModels";
const GET = "/modelrouter.registry.v1.RegistryService/GetModel";

/** One enveloped message as it came on the wire. */
interface Frame {
  readonly flags: number;
  readonly data: Buffer;
}

function envelope(data: Uint8Array | string, flags = 0): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(flags, 0);
  prefix.writeUInt32BE(bytes.byteLength, 1);
  return Buffer.concat([prefix, bytes]);
}

/** Splits a response body into its envelopes; fails on trailing bytes. */
function framesOf(body: Buffer): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (at < body.byteLength) {
    const length = body.readUInt32BE(at + 1);
    frames.push({ flags: body.readUInt8(at), data: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  expect(at).toBe(body.byteLength);
  return frames;
}

interface EndStream {
  readonly error?: { code: string; message: string; details?: { type: string; debug: { reason?: string; fieldViolations?: { field: string }[] } }[] };
}

/** The messages (as JSON) and the end-of-stream message of a Connect JSON stream; checks the end comes last, once. */
function streamOf(body: Buffer): { messages: unknown[]; end: EndStream } {
  const frames = framesOf(body);
  const last = frames.at(-1);
  expect(last?.flags).toBe(0x02);
  expect(frames.slice(0, -1).every((frame) => frame.flags === 0)).toBe(true);
  return { messages: frames.slice(0, -1).map((f) => JSON.parse(f.data.toString("utf8")) as unknown), end: JSON.parse(last!.data.toString("utf8")) as EndStream };
}

describe("the Connect edge serving a server-streaming method", () => {
  const stopped: bigint[] = [];
  const unexpected: unknown[] = [];
  let edge: ConnectEdge;
  let base: string;

  beforeAll(async () => {
    const impl = withUnimplemented(RegistryService, {
      async *watchModels(request, ctx) {
        // since_revision picks the script: 1 = three messages, 2 = two then an error, 3 = endless until cancelled,
        // 4 = an error before any message, 5 = one message then a wait that ignores the signal.
        const mode = request.sinceRevision;
        try {
          if (mode === 4n) throw new DomainError(ErrorReason.MODEL_NOT_FOUND, 'model "x" not found', { metadata: { model: "x" } });
          for (let revision = 1n; !ctx.signal.aborted; revision++) {
            if (mode === 2n && revision === 3n) throw new DomainError(ErrorReason.SERVICE_NOT_READY, "the store went away");
            if (mode === 1n && revision === 4n) return;
            yield create(WatchModelsResponseSchema, { revision });
            if (mode === 3n) await new Promise((resolve) => setTimeout(resolve, 5));
            if (mode === 5n) await new Promise((resolve) => setTimeout(resolve, 3000).unref());
          }
        } finally {
          stopped.push(mode);
        }
      },
    });
    edge = createConnectEdge({ services: [serviceRegistration(RegistryService, impl)], maxBodyBytes: 1024, onUnexpectedError: (e) => unexpected.push(e) });
    base = `http://127.0.0.1:${await edge.listen("127.0.0.1", 0)}`;
  });
  afterAll(() => edge.close());

  const post = (body: Buffer | string, headers: Record<string, string> = {}, path = WATCH, signal?: AbortSignal) =>
    fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/connect+json", ...headers }, body, ...(signal === undefined ? {} : { signal }) });
  const watch = async (sinceRevision: number, headers: Record<string, string> = {}) => {
    const response = await post(envelope(JSON.stringify({ sinceRevision: String(sinceRevision) })), headers);
    return { response, ...streamOf(Buffer.from(await response.arrayBuffer())) };
  };

  it("answers 200 with every message enveloped, in order, then an empty end-of-stream message", async () => {
    const { response, messages, end } = await watch(1);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/connect+json");
    expect(messages).toEqual([{ revision: "1" }, { revision: "2" }, { revision: "3" }]);
    expect(end).toEqual({});
  });

  it("speaks binary protobuf with application/connect+proto", async () => {
    const request = envelope(toBinary(WatchModelsRequestSchema, create(WatchModelsRequestSchema, { sinceRevision: 1n })));
    const response = await post(request, { "content-type": "application/connect+proto" });
    expect(response.headers.get("content-type")).toBe("application/connect+proto");
    const frames = framesOf(Buffer.from(await response.arrayBuffer()));
    expect(frames.slice(0, -1).map((f) => fromBinary(WatchModelsResponseSchema, f.data).revision)).toEqual([1n, 2n, 3n]);
    expect(frames.at(-1)).toEqual({ flags: 0x02, data: Buffer.from("{}") });
  });

  it("sends the messages made before a failure, then the error as the end-of-stream message, with HTTP 200", async () => {
    const { response, messages, end } = await watch(2);
    expect(response.status).toBe(200);
    expect(messages).toEqual([{ revision: "1" }, { revision: "2" }]);
    expect(end.error).toMatchObject({ code: "unavailable", message: "the store went away" });
    expect(end.error?.details?.map((d) => [d.type, d.debug.reason])).toEqual([["google.rpc.ErrorInfo", "SERVICE_NOT_READY"]]);
  });

  it("sends an error before any message as the only, end-of-stream, message", async () => {
    const { response, messages, end } = await watch(4);
    expect(response.status).toBe(200);
    expect(messages).toEqual([]);
    expect(end.error).toMatchObject({ code: "not_found", message: 'model "x" not found' });
  });

  it.each([
    ["a JSON body without the envelope's prefix", Buffer.from('{"sinceRevision": "1"}'), 'starts with "{", a JSON message without its envelope'],
    ["unknown envelope flags", envelope("{}", 0x04), "has envelope flags 0x04"],
    ["a body shorter than the prefix", Buffer.from([0, 0, 0]), "fewer than the 5-byte prefix"],
    ["a length longer than what follows", Buffer.concat([Buffer.from([0, 0, 0, 0, 50]), Buffer.from("{}")]), "declares a message of 50 bytes but 2 follow"],
    ["two messages", Buffer.concat([envelope("{}"), envelope("{}")]), "exactly one message"],
    ["the end-of-stream flag", envelope("{}", 0x02), "has envelope flags 0x02"],
    ["a compressed message without connect-content-encoding", envelope(gzipSync("{}"), 0x01), "connect-content-encoding is identity"],
    ["a message that is not JSON", envelope("{ nope"), ""],
  ])("refuses %s with INVALID_ARGUMENT naming the request, as the end-of-stream message", async (_what, body, description) => {
    const response = await post(body);
    expect(response.status).toBe(200);
    const { messages, end } = streamOf(Buffer.from(await response.arrayBuffer()));
    expect(messages).toEqual([]);
    expect(end.error?.code).toBe("invalid_argument");
    const violation = end.error?.details?.find((d) => d.type === "google.rpc.BadRequest")?.debug.fieldViolations?.[0];
    expect(violation?.field).toBe("request");
    expect(end.error?.message).toContain(description);
  });

  it("reads a gzip-compressed message when connect-content-encoding says gzip", async () => {
    const response = await post(envelope(gzipSync(JSON.stringify({ sinceRevision: "1" })), 0x01), { "connect-content-encoding": "gzip" });
    expect(streamOf(Buffer.from(await response.arrayBuffer())).messages).toHaveLength(3);
  });

  it("refuses a message over the limit with RESOURCE_EXHAUSTED, also once inflated", async () => {
    const big = JSON.stringify({ sinceRevision: "1", pad: "x".repeat(4096) });
    expect(streamOf(Buffer.from(await (await post(envelope(big))).arrayBuffer())).end.error?.code).toBe("resource_exhausted");
    const bomb = envelope(gzipSync(big), 0x01);
    expect(bomb.byteLength).toBeLessThan(1024);
    expect(streamOf(Buffer.from(await (await post(bomb, { "connect-content-encoding": "gzip" })).arrayBuffer())).end.error?.code).toBe("resource_exhausted");
  });

  it("refuses a unary content type for a streaming method, and a streaming one for a unary method, naming what to send", async () => {
    const unary = await post(JSON.stringify({ sinceRevision: "1" }), { "content-type": "application/json" });
    expect(unary.status).toBe(415);
    expect(((await unary.json()) as { message: string }).message).toContain("send application/connect+json or application/connect+proto");
    const streaming = await post(envelope("{}"), {}, GET);
    expect(streaming.status).toBe(415);
    expect(((await streaming.json()) as { message: string }).message).toContain("send application/json or application/proto");
  });

  it("ends a stream at its connect-timeout-ms with DEADLINE_EXCEEDED, even when the handler does not watch its signal", async () => {
    const { messages, end } = await watch(5, { "connect-timeout-ms": "200" });
    expect(messages).toEqual([{ revision: "1" }]);
    expect(end.error?.code).toBe("deadline_exceeded");
  });

  it("refuses a malformed connect-timeout-ms, naming the header", async () => {
    const { end } = await watch(1, { "connect-timeout-ms": "soon" });
    expect(end.error?.code).toBe("invalid_argument");
    expect(end.error?.details?.find((d) => d.type === "google.rpc.BadRequest")?.debug.fieldViolations?.map((v) => v.field)).toEqual(["connect-timeout-ms"]);
  });

  it("stops the producer when the HTTP client goes away", async () => {
    const client = new AbortController();
    const response = await post(envelope(JSON.stringify({ sinceRevision: "3" })), {}, WATCH, client.signal);
    const reader = response.body!.getReader();
    let received = 0;
    while (received < 3 * 5) received += (await reader.read()).value?.byteLength ?? 0;
    client.abort();
    const end = Date.now() + 5000;
    while (!stopped.includes(3n) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stopped).toContain(3n);
  });

  it("never reports a bug for any of it", () => {
    expect(unexpected).toEqual([]);
  });
});

describe("the Connect edge shutting down with a stream in flight", () => {
  it("ends the stream with UNAVAILABLE, so that the client reconnects elsewhere", async () => {
    const impl = withUnimplemented(RegistryService, {
      async *watchModels(_request, ctx) {
        for (let revision = 1n; !ctx.signal.aborted; revision++) {
          yield create(WatchModelsResponseSchema, { revision });
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
    });
    const edge = createConnectEdge({ services: [serviceRegistration(RegistryService, impl)] });
    const base = `http://127.0.0.1:${await edge.listen("127.0.0.1", 0)}`;
    const response = await fetch(`${base}${WATCH}`, { method: "POST", headers: { "content-type": "application/connect+json" }, body: envelope("{}") });
    const reader = response.body!.getReader();
    const chunks: Buffer[] = [Buffer.from((await reader.read()).value ?? [])];
    await edge.close(10_000);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) chunks.push(Buffer.from(chunk.value));
    const { messages, end } = streamOf(Buffer.concat(chunks));
    expect(messages.length).toBeGreaterThan(0);
    expect(end.error).toMatchObject({ code: "unavailable", message: expect.stringContaining("shutting down") });
  });
});

describe("the Connect edge when a stream's client goes away and its handler does not stop", () => {
  it("cancels the call and stops holding the edge: shutting down does not wait for the handler", async () => {
    let aborted = false;
    const impl = withUnimplemented(RegistryService, {
      async *watchModels(_request, ctx) {
        ctx.signal.addEventListener("abort", () => (aborted = true));
        yield create(WatchModelsResponseSchema, { revision: 1n });
        await new Promise(() => undefined); // ignores its signal, forever
      },
    });
    const edge = createConnectEdge({ services: [serviceRegistration(RegistryService, impl)] });
    const base = `http://127.0.0.1:${await edge.listen("127.0.0.1", 0)}`;
    const client = new AbortController();
    const response = await fetch(`${base}${WATCH}`, { method: "POST", headers: { "content-type": "application/connect+json" }, body: envelope("{}"), signal: client.signal });
    await response.body!.getReader().read();
    client.abort();
    // Resolves once no call is in flight; a call held by the handler would keep it waiting for the whole grace period.
    await edge.close(60_000);
    expect(aborted).toBe(true);
  }, 20_000);
});
