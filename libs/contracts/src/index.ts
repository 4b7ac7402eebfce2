/**
 * modelrouter's contracts: protobuf-es v2 schemas and types generated from `proto/` by `buf generate`
 * (protoc-gen-es, the only generator). Edit the `.proto` files, never `src/gen`.
 *
 * The re-exports below are whole generated modules on purpose: each is a closed set of `*Schema` constants,
 * message types and service descriptors with unique names.
 *
 * @packageDocumentation
 */
export * from "./gen/modelrouter/type/v1/payload_pb.js";
export * from "./gen/modelrouter/type/v1/modality_pb.js";
export * from "./gen/modelrouter/type/v1/model_ref_pb.js";
export * from "./gen/modelrouter/type/v1/output_pb.js";
export * from "./gen/modelrouter/analyzer/v1/profile_pb.js";
export * from "./gen/modelrouter/analyzer/v1/analyzer_service_pb.js";
export * from "./gen/modelrouter/decision/v1/decision_pb.js";
export * from "./gen/modelrouter/decision/v1/decision_service_pb.js";
export * from "./gen/modelrouter/executor/v1/executor_service_pb.js";
export * from "./gen/modelrouter/registry/v1/access_pb.js";
export * from "./gen/modelrouter/registry/v1/model_pb.js";
export * from "./gen/modelrouter/registry/v1/policy_pb.js";
export * from "./gen/modelrouter/registry/v1/decision_record_pb.js";
export * from "./gen/modelrouter/registry/v1/model_stats_pb.js";
export * from "./gen/modelrouter/registry/v1/registry_service_pb.js";
export * from "./gen/modelrouter/router/v1/router_service_pb.js";
export * from "./gen/google/rpc/status_pb.js";
export * from "./gen/google/rpc/error_details_pb.js";
export * from "./gen/grpc/health/v1/health_pb.js";
export * from "./gen/modelrouter/rpc/v1/tunnel_pb.js";
export * from "./gen/inference/open_inference_grpc_pb.js";
