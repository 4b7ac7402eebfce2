/**
 * The subset of the OTLP trace protocol that modelrouter's in-test OTLP receiver decodes.
 *
 * @packageDocumentation
 */
export * from "./gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.js";
export * from "./gen/opentelemetry/proto/trace/v1/trace_pb.js";
export * from "./gen/opentelemetry/proto/common/v1/common_pb.js";
export * from "./gen/opentelemetry/proto/resource/v1/resource_pb.js";
