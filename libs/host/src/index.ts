/**
 * The process shell every modelrouter service runs in: components (a service's handlers, readiness and
 * shutdown), the topology that connects a process to the services it calls (in-process or remote), common
 * settings (authentication among them: {@link loadServiceAuth}), serving, readiness and an orderly, idempotent shutdown.
 *
 * @packageDocumentation
 */
export { readCommonConfig, type CommonConfig } from "./common-config.js";
export { loadServiceTls, PLAINTEXT, readTlsConfig, type ServiceTls, type ServiceTlsOptions, type TlsConfig } from "./tls-config.js";
export { registrationOf, type Component } from "./component.js";
export { createTopology, type Topology, type TopologyOptions } from "./topology.js";
export { runHost, type BoundServer, type HostOptions, type RunningHost, type ServerSpec } from "./run-host.js";
export { runMain, MODELROUTER_VERSION } from "./run-main.js";
export { loadServiceAuth, processCredentials, type CredentialReader, type ServiceAuth } from "./service-auth.js";
export { readMetricsListen, startMetricsEndpoint, type MetricsEndpoint, type MetricsSource } from "./metrics-endpoint.js";
export { createAddressPool, type AddressPool, type AddressPoolOptions, type Closeable } from "./address-pool.js";
export { createBalancedClient, type BalancedClient, type BalancedClientOptions } from "./balanced-client.js";
