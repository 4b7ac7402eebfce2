import http from "node:http";
import http2 from "node:http2";
import { fromJson, toBinary, type JsonValue } from "@bufbuild/protobuf";
import { InferRequestSchema, type InferRequest } from "@modelrouter/contracts";
import type { RunningSystem } from "@modelrouter/testing";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startDemoSystem } from "./hostile/demo-system.js";
import { grpcFrame } from "./hostile/grpc-frame.js";
import { hugePngHeader } from "./hostile/png.js";
import { createRawGrpcCaller, type RawGrpcCaller } from "./hostile/raw-grpc-call.js";
import { violationsOfBadRequest } from "./hostile/status-details.js";

/** gRPC status names by code. */
const CODES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"];

/** What a client saw: the status (or how the stream broke) and the first field named. */
interface Seen {
  readonly code: string;
  readonly field?: string;
}

/** A JSON value nested `levels` deep: {"a": {"a": … 1 …}}. */
function nested(levels: number): JsonValue {
  let value: JsonValue = 1;
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

/** An Infer request as the protobuf JSON mapping (the Connect body) and as binary (the gRPC message). */
function inferOf(json: Record<string, JsonValue>): { readonly json: string; readonly binary: Uint8Array } {
  let binary: Uint8Array;
  try {
    binary = toBinary(InferRequestSchema, fromJson(InferRequestSchema, json));
  } catch {
    // Deeper than protobuf-es itself encodes: the same message built by hand below.
    binary = new Uint8Array();
  }
  return { json: JSON.stringify(json), binary };
}

const image = (data: Buffer): Record<string, JsonValue> => ({ payload: { image: { data: data.toString("base64") } } });

/**
 * A protobuf `google.protobuf.Value` nested `levels` deep as a struct {"a": …}, encoded by hand (protobuf-es refuses
 * to encode beyond its recursion limit, a client in another language would not).
 */
function deepValue(levels: number): Buffer {
  const field = (no: number, bytes: Buffer): Buffer => Buffer.concat([varintOf((no << 3) | 2), varintOf(bytes.length), bytes]);
  let value: Buffer = Buffer.from([0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]); // number_value = 1
  for (let i = 1; i < levels; i++) {
    const entry = Buffer.concat([field(1, Buffer.from("a")), field(2, value)]); // Struct.FieldsEntry
    value = field(5, field(1, entry)); // Value.struct_value { fields }
  }
  return value;
}

describe("limits on every input of the router, each answered with a clear status (gRPC and Connect)", () => {
  let system: RunningSystem;
  let grpc: RawGrpcCaller;
  let digitPng: Buffer;

  beforeAll(async () => {
    system = await startDemoSystem("co-located", {
      // A tenant with a tiny rate limit, for the tenant limits' row.
      MODELROUTER_TENANT_LIMITS: "limited=1/min,burst=1",
      // A fixed admission limit of 4 in flight (the lowest tier: 2), for the overload row.
      MODELROUTER_ADMISSION_MIN_CONCURRENCY: "4",
      MODELROUTER_ADMISSION_MAX_CONCURRENCY: "4",
    });
    grpc = createRawGrpcCaller(system.routerAddress, { guardMs: 20_000 });
    const { readFileSync } = await import("node:fs");
    const { loadSampleIndex } = await import("@modelrouter/model-zoo");
    digitPng = readFileSync(loadSampleIndex().find((s) => s.kind === "mnist")!.path);
  }, 180_000);

  afterAll(async () => {
    grpc?.close();
    await system?.stop();
  });

  /** Infer over gRPC (raw HTTP/2, so that what the server did is seen as it is): its status or how the stream broke. */
  async function overGrpc(message: Uint8Array, headers: Record<string, string> = {}): Promise<Seen & { readonly pushback?: string }> {
    const outcome = await grpc.call({
      id: "limits",
      target: "router",
      address: system.routerAddress,
      path: "/modelrouter.router.v1.RouterService/Infer",
      family: "limits",
      note: "",
      headers: { "content-type": "application/grpc", te: "trailers", "grpc-timeout": "20S", ...headers },
      body: grpcFrame(message),
      tunnel: false,
    });
    if (outcome.status === undefined) return { code: outcome.reset ?? (outcome.hung ? "hung" : `http ${outcome.httpStatus ?? "?"}`) };
    const field = outcome.status.violations?.[0]?.field;
    return { code: CODES[outcome.status.code] ?? String(outcome.status.code), ...(field === undefined ? {} : { field }) };
  }

  /** Infer over Connect with a JSON body: its Connect code (or HTTP status) and the first field named. */
  function overConnect(body: string, headers: Record<string, string> = {}): Promise<Seen & { readonly httpStatus?: number }> {
    return new Promise((resolve) => {
      const request = http.request(
        `${system.httpUrl}/modelrouter.router.v1.RouterService/Infer`,
        { method: "POST", agent: false, headers: { "content-type": "application/json", ...headers } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", (error) => resolve({ code: `reset: ${error.message}` }));
          response.on("end", () => {
            const httpStatus = response.statusCode ?? 0;
            if (httpStatus === 200) return resolve({ code: "OK", httpStatus });
            try {
              const error = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { code?: string; details?: { type: string; value: string }[] };
              const badRequest = error.details?.find((d) => d.type === "google.rpc.BadRequest");
              const field = badRequest === undefined ? undefined : violationsOfBadRequest(Buffer.from(badRequest.value, "base64"))[0]?.field;
              resolve({ code: (error.code ?? `http ${httpStatus}`).toUpperCase(), httpStatus, ...(field === undefined ? {} : { field }) });
            } catch {
              resolve({ code: `http ${httpStatus}`, httpStatus });
            }
          });
        },
      );
      request.on("error", (error) => resolve({ code: `reset: ${error.message}` }));
      request.end(body);
    });
  }

  /** Sends one request over both APIs. */
  async function both(request: { readonly json: string; readonly binary: Uint8Array }, headers: Record<string, string> = {}) {
    return { grpc: await overGrpc(request.binary, headers), connect: await overConnect(request.json, headers) };
  }

  const metadataOf = (metadata: Record<string, string>) => inferOf({ ...image(digitPng), metadata });

  it("answers a valid request over both APIs (the table's control row)", async () => {
    expect(await both(inferOf(image(digitPng)))).toEqual({ grpc: { code: "OK" }, connect: { code: "OK", httpStatus: 200 } });
  });

  it("message size: a request over 8 MiB (gRPC) or 12 MiB of JSON (Connect) is RESOURCE_EXHAUSTED, not a reset, and the connection serves on", async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 7);
    const request = inferOf(image(big));
    expect(await overGrpc(request.binary)).toEqual({ code: "RESOURCE_EXHAUSTED" });
    expect(await overConnect(JSON.stringify({ payload: { image: { data: Buffer.alloc(13 * 1024 * 1024, 7).toString("base64") } } }))).toMatchObject({
      code: "RESOURCE_EXHAUSTED",
    });
    expect(await overGrpc(inferOf(image(digitPng)).binary)).toEqual({ code: "OK" });
  });

  it("the metadata map: more than 64 entries, a key over 63 characters, a value over 1,024 characters are INVALID_ARGUMENT naming the field", async () => {
    const entries = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
    expect(await both(metadataOf(entries))).toEqual({
      grpc: { code: "INVALID_ARGUMENT", field: "metadata" },
      connect: { code: "INVALID_ARGUMENT", httpStatus: 400, field: "metadata" },
    });
    const longKey = await both(metadataOf({ ["k".repeat(64)]: "v" }));
    expect([longKey.grpc.code, longKey.connect.code]).toEqual(["INVALID_ARGUMENT", "INVALID_ARGUMENT"]);
    expect(longKey.grpc.field).toMatch(/^metadata/);
    const longValue = await both(metadataOf({ k: "v".repeat(1025) }));
    expect([longValue.grpc.code, longValue.connect.code]).toEqual(["INVALID_ARGUMENT", "INVALID_ARGUMENT"]);
    expect(longValue.grpc.field).toMatch(/^metadata/);
  });

  it("header metadata: headers over 16 KiB are RESOURCE_EXHAUSTED (gRPC) or HTTP 431 (Connect), not a dropped stream; 8 KiB pass", async () => {
    expect(await both(inferOf(image(digitPng)), { "x-padding": "p".repeat(8 * 1024) })).toEqual({ grpc: { code: "OK" }, connect: { code: "OK", httpStatus: 200 } });
    const seen = await both(inferOf(image(digitPng)), { "x-padding": "p".repeat(64 * 1024) });
    expect(seen.grpc).toEqual({ code: "RESOURCE_EXHAUSTED" });
    expect(seen.connect).toMatchObject({ httpStatus: 431 });
    // The server serves on.
    expect(await overGrpc(inferOf(image(digitPng)).binary)).toEqual({ code: "OK" });
  });

  it("image dimensions: a 10,000 × 10,000 PNG is refused from its header (INVALID_ARGUMENT naming the image), never decoded", async () => {
    const png = hugePngHeader();
    expect(png.length).toBeLessThan(2048);
    const seen = await both(inferOf(image(png)));
    expect(seen).toEqual({
      grpc: { code: "INVALID_ARGUMENT", field: "payload.image.data" },
      connect: { code: "INVALID_ARGUMENT", httpStatus: 400, field: "payload.image.data" },
    });
  });

  it("JSON depth: a payload 40 levels deep is INVALID_ARGUMENT naming payload.json; 200 levels (beyond the decoder's limit) too", async () => {
    const deep = await both(inferOf({ payload: { json: nested(40) } }));
    // The field named is where the nesting passed the limit.
    expect(deep).toEqual({
      grpc: { code: "INVALID_ARGUMENT", field: expect.stringMatching(/^payload\.json(\.a)+$/) },
      connect: { code: "INVALID_ARGUMENT", httpStatus: 400, field: expect.stringMatching(/^payload\.json(\.a)+$/) },
    });
    // Field 2 of InferRequest is the payload, whose field 4 is the JSON value.
    const payload = Buffer.concat([Buffer.from([0x22]), varintOf(deepValue(200).length), deepValue(200)]);
    const message = Buffer.concat([Buffer.from([0x12]), varintOf(payload.length), payload]);
    const deeper = await overGrpc(message);
    expect(deeper.code).toBe("INVALID_ARGUMENT");
    expect(deeper.field).toMatch(/^payload/);
    const connect = await overConnect(JSON.stringify({ payload: { json: nested(200) } }));
    expect(connect).toMatchObject({ code: "INVALID_ARGUMENT", httpStatus: 400 });
    expect(connect.field).toMatch(/^payload/);
  });

  it("overload: a burst far beyond the admission limit is partly shed with UNAVAILABLE LOAD_SHED, the rest answered, the router alive", async () => {
    const burst = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        system.router.infer(fromJson(InferRequestSchema, { ...image(digitPng), tier: i % 2 === 0 ? "free" : "premium" }) as InferRequest).then(
          () => "OK",
          (error: { code?: number; reason?: string }) => `${CODES[error.code ?? 2]} ${error.reason ?? ""}`,
        ),
      ),
    );
    const counts: Record<string, number> = {};
    for (const outcome of burst) counts[outcome] = (counts[outcome] ?? 0) + 1;
    expect(Object.keys(counts).sort()).toEqual(["OK", "UNAVAILABLE LOAD_SHED"]);
    expect(await system.allServing()).toBe(true);
    expect(await overGrpc(inferOf(image(digitPng)).binary)).toEqual({ code: "OK" });
  });

  it("tenant rate: over its limit, RESOURCE_EXHAUSTED with a retry hint (ErrorInfo retryAfterMs and the grpc-retry-pushback-ms trailer)", async () => {
    const request = inferOf({ ...image(digitPng), tenant: "limited" });
    expect(await overGrpc(request.binary)).toEqual({ code: "OK" });
    expect(await overGrpc(request.binary)).toEqual({ code: "RESOURCE_EXHAUSTED" });
    expect(await overConnect(request.json)).toMatchObject({ code: "RESOURCE_EXHAUSTED", httpStatus: 429 });
    const pushback = await new Promise<string | undefined>((resolve) => {
      const session = http2.connect(`http://${system.routerAddress}`);
      const stream = session.request({ ":method": "POST", ":path": "/modelrouter.router.v1.RouterService/Infer", "content-type": "application/grpc", te: "trailers" });
      let value: string | undefined;
      const read = (headers: http2.IncomingHttpHeaders) => {
        const found = headers["grpc-retry-pushback-ms"];
        if (typeof found === "string") value = found;
      };
      stream.on("response", read);
      stream.on("trailers", read);
      stream.on("close", () => {
        session.close();
        resolve(value);
      });
      stream.resume();
      stream.end(grpcFrame(request.binary));
    });
    expect(pushback).toMatch(/^\d+$/);
    const refused = system.router.infer(fromJson(InferRequestSchema, JSON.parse(request.json) as JsonValue) as InferRequest);
    await expect(refused).rejects.toMatchObject({ reason: "TENANT_RATE_LIMITED", metadata: { tenant: "limited", retryAfterMs: expect.stringMatching(/^\d+$/) } });
  });
});

/** A protobuf varint. */
function varintOf(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
