import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { StatusSchema } from "@modelrouter/contracts";
import {
  ExportTraceServiceRequestSchema,
  ExportTraceServiceResponseSchema,
  Span_SpanKind,
  Status_StatusCode,
} from "@modelrouter/contracts/otlp";
import { startOtlpReceiver, type OtlpReceiver } from "./otlp-receiver.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const ROOT_ID = "00f067aa0ba902b7";
const CHILD_ID = "b7ad6b7169203331";

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array;
}

async function post(url: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Reply> {
  const response = await fetch(url, { method: "POST", body, headers });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    body: new Uint8Array(await response.arrayBuffer()),
  };
}

function request(serviceName: string): MessageInitShape<typeof ExportTraceServiceRequestSchema> {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: "service.name", value: { value: { case: "stringValue", value: serviceName } } },
            { key: "service.version", value: { value: { case: "stringValue", value: "1.2.3" } } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: "test-scope", version: "0.1" },
            spans: [
              {
                traceId: Buffer.from(TRACE_ID, "hex"),
                spanId: Buffer.from(ROOT_ID, "hex"),
                name: "root",
                kind: Span_SpanKind.SERVER,
                startTimeUnixNano: 1_000n,
                endTimeUnixNano: 2_000n,
              },
              {
                traceId: Buffer.from(TRACE_ID, "hex"),
                spanId: Buffer.from(CHILD_ID, "hex"),
                parentSpanId: Buffer.from(ROOT_ID, "hex"),
                name: "child",
                kind: Span_SpanKind.CLIENT,
                attributes: [
                  { key: "n", value: { value: { case: "intValue", value: 7n } } },
                  { key: "ok", value: { value: { case: "boolValue", value: false } } },
                ],
                events: [{ name: "retry", timeUnixNano: 1_500n, attributes: [] }],
                status: { code: Status_StatusCode.ERROR, message: "boom" },
                startTimeUnixNano: 1_100n,
                endTimeUnixNano: 1_900n,
              },
            ],
          },
        ],
      },
    ],
  };
}

function protobufBody(serviceName = "router"): Uint8Array {
  return toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, request(serviceName)));
}

const jsonBody = JSON.stringify({
  resourceSpans: [
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "analyzer" } }] },
      scopeSpans: [
        {
          scope: { name: "json-scope" },
          spans: [
            {
              traceId: TRACE_ID,
              spanId: CHILD_ID,
              parentSpanId: ROOT_ID,
              name: "grpc.modelrouter.analyzer.v1.AnalyzerService/Analyze",
              kind: 2,
              startTimeUnixNano: "1700000000000000001",
              endTimeUnixNano: "1700000000000000002",
              attributes: [{ key: "rpc.grpc.status_code", value: { intValue: "0" } }],
              status: { code: "STATUS_CODE_OK" },
              aFieldFromANewerOtlpVersion: true,
            },
          ],
        },
      ],
    },
  ],
});

describe("startOtlpReceiver", () => {
  let receiver: OtlpReceiver;

  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });

  afterEach(async () => {
    await receiver.close();
  });

  it("listens on a loopback port and gives the full /v1/traces URL", () => {
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/);
  });

  describe("POST /v1/traces", () => {
    it("decodes an application/x-protobuf export into flat spans carrying their resource's service.name", async () => {
      const reply = await post(receiver.url, protobufBody(), { "content-type": "application/x-protobuf" });

      expect(reply.status).toBe(200);
      expect(receiver.requestCount).toBe(1);
      expect(receiver.spans).toEqual([
        {
          traceId: TRACE_ID,
          spanId: ROOT_ID,
          parentSpanId: "",
          traceState: "",
          name: "root",
          kind: "SERVER",
          serviceName: "router",
          resource: { "service.name": "router", "service.version": "1.2.3" },
          scope: { name: "test-scope", version: "0.1" },
          attributes: {},
          events: [],
          links: [],
          status: { code: "UNSET", message: "" },
          startTimeUnixNano: 1_000n,
          endTimeUnixNano: 2_000n,
        },
        {
          traceId: TRACE_ID,
          spanId: CHILD_ID,
          parentSpanId: ROOT_ID,
          traceState: "",
          name: "child",
          kind: "CLIENT",
          serviceName: "router",
          resource: { "service.name": "router", "service.version": "1.2.3" },
          scope: { name: "test-scope", version: "0.1" },
          attributes: { n: 7, ok: false },
          events: [{ name: "retry", timeUnixNano: 1_500n, attributes: {} }],
          links: [],
          status: { code: "ERROR", message: "boom" },
          startTimeUnixNano: 1_100n,
          endTimeUnixNano: 1_900n,
        },
      ]);
    });

    it("answers a protobuf export with an empty protobuf ExportTraceServiceResponse", async () => {
      const reply = await post(receiver.url, protobufBody(), { "content-type": "application/x-protobuf" });

      expect(reply.contentType).toBe("application/x-protobuf");
      expect(fromBinary(ExportTraceServiceResponseSchema, reply.body).partialSuccess).toBeUndefined();
    });

    it("decodes OTLP/JSON, reading trace and span ids as hex, enums as numbers or names, and skipping unknown fields", async () => {
      const reply = await post(receiver.url, jsonBody, { "content-type": "application/json; charset=utf-8" });

      expect(reply.status).toBe(200);
      expect(receiver.spans).toEqual([
        expect.objectContaining({
          traceId: TRACE_ID,
          spanId: CHILD_ID,
          parentSpanId: ROOT_ID,
          kind: "SERVER",
          serviceName: "analyzer",
          scope: { name: "json-scope", version: "" },
          attributes: { "rpc.grpc.status_code": 0 },
          status: { code: "OK", message: "" },
          startTimeUnixNano: 1_700_000_000_000_000_001n,
        }),
      ]);
    });

    it("answers an OTLP/JSON export with an empty JSON response", async () => {
      const reply = await post(receiver.url, jsonBody, { "content-type": "application/json" });

      expect(reply.contentType).toBe("application/json");
      expect(JSON.parse(Buffer.from(reply.body).toString("utf8"))).toEqual({});
    });

    it("gunzips a body sent with Content-Encoding: gzip, in either encoding", async () => {
      const binary = await post(receiver.url, gzipSync(protobufBody("registry")), {
        "content-type": "application/x-protobuf",
        "content-encoding": "gzip",
      });
      const json = await post(receiver.url, gzipSync(jsonBody), {
        "content-type": "application/json",
        "content-encoding": "gzip",
      });

      expect([binary.status, json.status]).toEqual([200, 200]);
      expect(receiver.spans.map((span) => span.serviceName)).toEqual(["registry", "registry", "analyzer"]);
    });

    it("refuses other content types with 415, keeping the reason for failure messages", async () => {
      const reply = await post(receiver.url, "hello", { "content-type": "text/plain" });

      expect(reply.status).toBe(415);
      expect(receiver.requestCount).toBe(0);
      expect(receiver.rejected).toEqual([{ status: 415, reason: expect.stringContaining('"text/plain"') }]);
    });

    it("refuses a content encoding other than gzip with 415", async () => {
      const reply = await post(receiver.url, protobufBody(), {
        "content-type": "application/x-protobuf",
        "content-encoding": "br",
      });

      expect(reply.status).toBe(415);
      expect(receiver.rejected[0]?.reason).toContain('"br"');
    });

    it("answers 400 with a google.rpc.Status when the protobuf body does not decode", async () => {
      const reply = await post(receiver.url, new Uint8Array([0x0a, 0xff, 0xff]), {
        "content-type": "application/x-protobuf",
      });

      expect(reply.status).toBe(400);
      expect(fromBinary(StatusSchema, reply.body).message).toContain("cannot decode protobuf ExportTraceServiceRequest");
      expect(receiver.spans).toEqual([]);
    });

    it("answers 400 naming the field when an OTLP/JSON id is not hex", async () => {
      const body = jsonBody.replace(ROOT_ID, "not-hex!");
      const reply = await post(receiver.url, body, { "content-type": "application/json" });

      expect(reply.status).toBe(400);
      expect(receiver.rejected[0]?.reason).toContain("resourceSpans[0].scopeSpans[0].spans[0].parentSpanId");
    });

    it("answers 400 when a gzip body is not gzip", async () => {
      const reply = await post(receiver.url, protobufBody(), {
        "content-type": "application/x-protobuf",
        "content-encoding": "gzip",
      });

      expect(reply.status).toBe(400);
      expect(receiver.rejected[0]?.reason).toContain("not valid gzip");
    });
  });

  it("answers 404 on another path and 405 on another method", async () => {
    const wrongPath = await post(receiver.url.replace("/v1/traces", "/v1/metrics"), protobufBody(), {
      "content-type": "application/x-protobuf",
    });
    const wrongMethod = await fetch(receiver.url);

    expect(wrongPath.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    expect(receiver.rejected.map((r) => r.status)).toEqual([404, 405]);
  });

  describe("waitFor", () => {
    it("resolves with the spans once an export makes the predicate true", async () => {
      const waiting = receiver.waitFor((spans) => spans.some((span) => span.name === "child"));
      await post(receiver.url, protobufBody(), { "content-type": "application/x-protobuf" });

      const spans = await waiting;

      expect(spans.map((span) => span.name)).toEqual(["root", "child"]);
    });

    it("resolves at once when the spans already satisfy the predicate", async () => {
      await post(receiver.url, protobufBody(), { "content-type": "application/x-protobuf" });

      await expect(receiver.waitFor((spans) => spans.length === 2, 1)).resolves.toHaveLength(2);
    });

    it("rejects after the timeout, listing the spans that did arrive and the refused requests", async () => {
      await post(receiver.url, protobufBody(), { "content-type": "application/x-protobuf" });
      await post(receiver.url, "{}", { "content-type": "text/yaml" });

      const failure = receiver.waitFor((spans) => spans.length > 5, 50);

      await expect(failure).rejects.toThrow(/condition not met within 50 ms; 2 span\(s\) in 1 export request\(s\)/);
      await expect(failure).rejects.toThrow(
        `[router] CLIENT child trace=${TRACE_ID} span=${CHILD_ID} parent=${ROOT_ID} status=ERROR "boom" {n=7, ok=false} events=[retry]`,
      );
      await expect(failure).rejects.toThrow(/refused requests:\n {2}415: unsupported Content-Type "text\/yaml"/);
    });

    it("treats a predicate that throws as not yet satisfied, and reports its last error on timeout", async () => {
      const failure = receiver.waitFor((spans) => spans[0]!.name === "never", 50);

      await expect(failure).rejects.toThrow(/the predicate last threw: .*undefined/);
    });

    it("rejects pending waits when the receiver closes", async () => {
      const waiting = receiver.waitFor(() => false, 60_000);

      await receiver.close();

      await expect(waiting).rejects.toThrow("closed while waiting");
    });
  });

  it("forgets spans, request count and refusals on clear()", async () => {
    await post(receiver.url, protobufBody(), { "content-type": "application/x-protobuf" });
    await post(receiver.url, "x", { "content-type": "text/plain" });

    receiver.clear();

    expect([receiver.spans, receiver.requestCount, receiver.rejected]).toEqual([[], 0, []]);
  });

  describe('with decode: "on-read" (for benchmarks)', () => {
    let lazy: OtlpReceiver;

    beforeEach(async () => {
      lazy = await startOtlpReceiver({ decode: "on-read" });
    });

    afterEach(async () => {
      await lazy.close();
    });

    it("keeps the bodies and decodes them into the same spans when they are read", async () => {
      const reply = await post(lazy.url, protobufBody(), { "content-type": "application/x-protobuf" });
      await post(receiver.url, protobufBody(), { "content-type": "application/x-protobuf" });

      expect(reply.status).toBe(200);
      expect(lazy.requestCount).toBe(1);
      expect(lazy.spans).toEqual(receiver.spans);
    });

    it("records a body that does not decode as refused when the spans are read, keeping the good ones", async () => {
      await post(lazy.url, new Uint8Array([0x0a, 0xff, 0xff]), { "content-type": "application/x-protobuf" });
      await post(lazy.url, protobufBody(), { "content-type": "application/x-protobuf" });

      expect(lazy.spans.map((span) => span.name)).toEqual(["root", "child"]);
      expect(lazy.rejected).toEqual([{ status: 400, reason: expect.stringContaining("cannot decode protobuf") }]);
    });

    it("still refuses a wrong content type at once", async () => {
      const reply = await post(lazy.url, "{}", { "content-type": "text/plain" });

      expect(reply.status).toBe(415);
    });

    it("lets waitFor see the kept bodies", async () => {
      const waiting = lazy.waitFor((spans) => spans.length === 2, 5_000);
      await post(lazy.url, protobufBody(), { "content-type": "application/x-protobuf" });

      await expect(waiting).resolves.toHaveLength(2);
    });
  });

  it("stops accepting connections once closed", async () => {
    await receiver.close();

    await expect(post(receiver.url, protobufBody(), { "content-type": "application/x-protobuf" })).rejects.toThrow();
  });
});
