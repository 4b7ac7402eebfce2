/**
 * The RPC kit: write a service's handlers once and serve them over gRPC (grpc-js with the protobuf-es codec),
 * over Connect at the HTTP edge, through a tunnel, or call them in-process — all through one call lifecycle
 * (span, context, deadline, handler, error table) — with deadlines on every call, one table from domain errors
 * to gRPC statuses (with `google.rpc.ErrorInfo`), W3C trace propagation with one span per hop, and
 * `grpc.health.v1` plus server reflection on every server; and {@link runWatchLoop}, the one way a process follows
 * a registry watch stream (resume from the last revision, snapshot restart, bounded backoff).
 *
 * @packageDocumentation
 */
export { Code, codeName, isCode, isRetryable } from "./code.js";
export { RpcError, isRpcError, type RpcErrorInit } from "./rpc-error.js";
export type { CallObserver, ObservedCall } from "./call-observer.js";
export { reasonCodes, toRpcError, type UnexpectedErrorListener } from "./error-table.js";
export { RETRY_AFTER_MS_KEY, RETRY_PUSHBACK_KEY } from "./status-details.js";
export { remainingMs, resolveDeadline, withTraceContext, type CallContext, type CallOptions, type Transport } from "./call-context.js";
export {
  serviceRegistration,
  type ServiceClient,
  type ServiceImpl,
  type ServiceRegistration,
  type MethodImpl,
  type MethodCall,
  type StreamLifetime,
} from "./service-types.js";
export { ANONYMOUS_ADMIN, type Authenticator, type CallCredentials, type CallerIdentity } from "./identity.js";
export { MessageLimits } from "./limits.js";
export { createGrpcServer, type GrpcServer, type GrpcServerOptions } from "./grpc-server.js";
export {
  createGrpcChannel,
  createGrpcClient,
  type GrpcChannel,
  type GrpcChannelOptions,
  type GrpcClientOptions,
} from "./grpc-client.js";
export { createDirectClient, type DirectClientOptions } from "./direct-client.js";
export { createTunnel, createTunnelClient, type Tunnel, type TunnelOptions } from "./tunnel-client.js";
export { createConnectEdge, type ConnectEdge, type ConnectEdgeOptions } from "./connect-edge.js";
export {
  CertificateFiles,
  loadCertificateFiles,
  TlsFileError,
  type CertificateFilesOptions,
  type CertificateFilesSpec,
  type CertificateMaterial,
  type PemFile,
} from "./certificate-files.js";
export { createHttpOrHttpsServer, grpcServerCredentials, requiresClientCertificate, type ServerTls } from "./server-tls.js";
export { grpcChannelCredentials, type ClientTls } from "./client-tls.js";
export { HealthState, LIVENESS_SERVICE, ServingStatus } from "./health.js";
export { AsyncQueue } from "./async-queue.js";
export { DEFAULT_MAX_DEADLINE_MS } from "./timeout-header.js";
export { callSpan, callTraceId, RpcAttr, traceLogFields } from "./tracing.js";
export { onShutdownSignal, keepAliveOnStrayErrors, type ShutdownSignalOptions } from "./shutdown.js";
export { runWatchLoop, type WatchLoopLogger, type WatchLoopOptions, type WatchMessage } from "./watch-loop.js";
