export { startPostgresCluster, type PostgresCluster, type PostgresClusterOptions } from "./postgres-cluster.js";
export {
  startOtlpReceiver,
  type OtlpReceiver,
  type OtlpReceiverOptions,
  type RejectedExport,
} from "./otlp-receiver.js";
export {
  type ReceivedSpan,
  type ReceivedEvent,
  type ReceivedLink,
  type AttributeValue,
  type AttributeMap,
  type SpanKindName,
  type StatusCodeName,
} from "./otlp-spans.js";
export { formatSpans } from "./format-spans.js";
export { freePort } from "./free-port.js";
export { startProcess, type StartProcessOptions, type RunningProcess, type ProcessExit } from "./start-process.js";
export { createProcessGroup, type ProcessGroup } from "./process-group.js";
export { startModelrouter, repoRoot, type RunningSystem, type Topology } from "./start-modelrouter.js";
export { appStarter, type AppStarter } from "./app-starter.js";
export { createTestCertificates, OPENSSL, type IssuedCertificate, type TestCa, type TestCertificates } from "./test-certificates.js";
