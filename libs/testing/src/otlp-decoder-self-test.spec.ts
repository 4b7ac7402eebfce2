import { isDeepStrictEqual } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { clone, create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import {
  type ExportTraceServiceRequest,
  file_opentelemetry_proto_collector_trace_v1_trace_service,
  file_opentelemetry_proto_common_v1_common,
  file_opentelemetry_proto_resource_v1_resource,
  file_opentelemetry_proto_trace_v1_trace,
} from "@modelrouter/contracts/otlp";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import {
  REMOTE_PARENT,
  bySpanId,
  expectedSpan,
  sdkSpans,
  withNestedAndBytes,
} from "./official-spans.test-support.js";
import { startOtlpReceiver, type OtlpReceiver } from "./otlp-receiver.js";
import { flattenExportRequest, type ReceivedSpan } from "./otlp-spans.js";

/**
 * The receiver decodes OTLP with the subset in proto/opentelemetry. These tests feed it the output of the
 * official OpenTelemetry serialisers (`@opentelemetry/otlp-transformer`) for spans built by the real SDK and
 * demand that every field comes back as sent, so a wrong field number, type or JSON name in the subset fails.
 */
describe("OTLP decoder self-test against the official serialisers", () => {
  let receiver: OtlpReceiver;
  let spans: ReadableSpan[];
  let expected: ReceivedSpan[];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const made = await sdkSpans();
    spans = [...made, withNestedAndBytes(made[0]!)];
    expected = bySpanId(spans.map(expectedSpan));
  });

  afterAll(async () => {
    await receiver.close();
  });

  async function send(body: Uint8Array, headers: Record<string, string>): Promise<readonly ReceivedSpan[]> {
    receiver.clear();
    const response = await fetch(receiver.url, { method: "POST", body, headers });
    expect({ status: response.status, rejected: receiver.rejected }).toEqual({ status: 200, rejected: [] });
    return bySpanId(receiver.spans);
  }

  it("covers what it claims: a remote parent with tracestate, every span kind, ERROR and OK, links, events, bytes and nested lists", () => {
    expect(new Set(expected.map((span) => span.kind))).toEqual(
      new Set(["SERVER", "INTERNAL", "CLIENT", "PRODUCER", "CONSUMER"]),
    );
    expect(expected.find((span) => span.kind === "SERVER")).toMatchObject({
      parentSpanId: REMOTE_PARENT.spanId,
      traceState: REMOTE_PARENT.traceState,
    });
    expect(expected.map((span) => span.status.code)).toEqual(expect.arrayContaining(["ERROR", "OK", "UNSET"]));
    expect(expected.some((span) => span.links.length > 0 && span.events.length > 1)).toBe(true);
    expect(expected.find((span) => span.name === "hand.made")?.attributes["attr.bytes"]).toBeInstanceOf(Uint8Array);
  });

  it("decodes ProtobufTraceSerializer output field for field", async () => {
    const body = ProtobufTraceSerializer.serializeRequest(spans)!;

    expect(await send(body, { "content-type": "application/x-protobuf" })).toEqual(expected);
  });

  it("decodes gzipped ProtobufTraceSerializer output field for field", async () => {
    const body = gzipSync(ProtobufTraceSerializer.serializeRequest(spans)!);

    expect(await send(body, { "content-type": "application/x-protobuf", "content-encoding": "gzip" })).toEqual(expected);
  });

  it("decodes JsonTraceSerializer output (hex ids, numeric enums) field for field", async () => {
    const body = JsonTraceSerializer.serializeRequest(spans)!;

    expect(await send(body, { "content-type": "application/json" })).toEqual(expected);
  });

  describe("the self-test itself", () => {
    const files = [
      file_opentelemetry_proto_common_v1_common,
      file_opentelemetry_proto_resource_v1_resource,
      file_opentelemetry_proto_trace_v1_trace,
      file_opentelemetry_proto_collector_trace_v1_trace_service,
    ];
    const UNUSED_NUMBER = 1000;

    function messages(list: readonly DescriptorProto[], prefix: string): [string, DescriptorProto][] {
      return list.flatMap((message) => [
        [`${prefix}${message.name}`, message] as [string, DescriptorProto],
        ...messages(message.nestedType, `${prefix}${message.name}.`),
      ]);
    }

    /** Every field of the subset as `package.Message.field`, with a function that renumbers it in a copy. */
    function allFields(): { name: string; renumber: (copies: FileDescriptorProto[]) => void }[] {
      return files.flatMap((file, fileIndex) =>
        messages(file.proto.messageType, `${file.proto.package}.`).flatMap(([messageName, message]) =>
          message.field.map((field, fieldIndex) => ({
            name: `${messageName}.${field.name}`,
            renumber: (copies: FileDescriptorProto[]) => {
              const copy = messages(copies[fileIndex]!.messageType, `${file.proto.package}.`).find(
                ([name]) => name === messageName,
              )![1];
              copy.field[fieldIndex]!.number = UNUSED_NUMBER;
            },
          })),
        ),
      );
    }

    function decodeWith(renumber: (copies: FileDescriptorProto[]) => void, body: Uint8Array): ReceivedSpan[] | string {
      const copies = files.map((file) => clone(FileDescriptorProtoSchema, file.proto));
      renumber(copies);
      const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: copies }));
      const schema = registry.getMessage("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest")!;
      try {
        return bySpanId(flattenExportRequest(fromBinary(schema, body) as unknown as ExportTraceServiceRequest));
      } catch (error) {
        return `decoding failed: ${String(error)}`;
      }
    }

    it("passes with the subset as it is", () => {
      const body = ProtobufTraceSerializer.serializeRequest(spans)!;

      expect(decodeWith(() => undefined, body)).toEqual(expected);
    });

    it("fails when any field that the receiver reports has a wrong number", () => {
      const body = ProtobufTraceSerializer.serializeRequest(spans)!;

      const unnoticed = allFields()
        .filter((field) => isDeepStrictEqual(decodeWith(field.renumber, body), expected))
        .map((field) => field.name);

      // Exactly the fields that ReceivedSpan does not expose (counts, flags, schema URLs, the response).
      expect(unnoticed.sort()).toEqual(
        [
          "opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess.error_message",
          "opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess.rejected_spans",
          "opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse.partial_success",
          "opentelemetry.proto.common.v1.InstrumentationScope.attributes",
          "opentelemetry.proto.common.v1.InstrumentationScope.dropped_attributes_count",
          "opentelemetry.proto.resource.v1.Resource.dropped_attributes_count",
          "opentelemetry.proto.trace.v1.ResourceSpans.schema_url",
          "opentelemetry.proto.trace.v1.ScopeSpans.schema_url",
          "opentelemetry.proto.trace.v1.Span.Event.dropped_attributes_count",
          "opentelemetry.proto.trace.v1.Span.Link.dropped_attributes_count",
          "opentelemetry.proto.trace.v1.Span.Link.flags",
          "opentelemetry.proto.trace.v1.Span.Link.trace_state",
          "opentelemetry.proto.trace.v1.Span.dropped_attributes_count",
          "opentelemetry.proto.trace.v1.Span.dropped_events_count",
          "opentelemetry.proto.trace.v1.Span.dropped_links_count",
          "opentelemetry.proto.trace.v1.Span.flags",
        ].sort(),
      );
    });
  });
});
