/**
 * The gRPC server reflection protocol, both versions (grpcurl asks for v1 and falls back to v1alpha).
 *
 * @packageDocumentation
 */
export * as reflectionV1 from "./gen/grpc/reflection/v1/reflection_pb.js";
export * as reflectionV1alpha from "./gen/grpc/reflection/v1alpha/reflection_pb.js";
