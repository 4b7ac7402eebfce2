import { parseHostPort } from "@modelrouter/syntax";
import {
  createConnectEdge,
  createGrpcServer,
  HealthState,
  keepAliveOnStrayErrors,
  MessageLimits,
  onShutdownSignal,
  ServingStatus,
  type Authenticator,
  type ConnectEdge,
  type GrpcServer,
} from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { registrationOf, type Component } from "./component.js";
import { startMetricsEndpoint, type MetricsEndpoint, type MetricsSource } from "./metrics-endpoint.js";
import type { ServiceTls } from "./tls-config.js";
import type { Topology } from "./topology.js";

/** One listening gRPC server of a process and the components it serves. */
export interface ServerSpec {
  /** The gRPC `host:port` to listen on (port 0 picks a free one). */
  readonly listen: string;
  readonly components: readonly Component[];
  /** Also serve the components' unary methods over Connect/JSON on HTTP at this `host:port`. */
  readonly http?: string | undefined;
  /**
   * `public`: called by clients (the router's front door, the registry's API): requests up to
   * {@link MessageLimits.EDGE_BYTES}. `internal`: called by other modelrouter services, whose messages wrap a
   * client's request: up to {@link MessageLimits.INTERNAL_BYTES}.
   */
  readonly exposure: "public" | "internal";
}

/** Options of {@link runHost}. */
export interface HostOptions {
  /** The process's name in logs, e.g. "router". */
  readonly name: string;
  readonly logger: Logger;
  /**
   * Every component the process hosts, served or only called in-process, in dependency order: the process is
   * ready when all are, and they are closed in reverse order on shutdown.
   */
  readonly components: readonly Component[];
  readonly servers: readonly ServerSpec[];
  /** The process's connections to remote services, closed after the components. */
  readonly topology?: Topology;
  /** How long a shutdown waits for in-flight calls before closing connections, in ms. */
  readonly shutdownGraceMs: number;
  /** A longer deadline asked by a client is lowered to this, in ms. */
  readonly maxDeadlineMs?: number;
  /**
   * Authenticates every call to every server of the process, gRPC and Connect (`ServiceAuth.authenticator`);
   * undefined when authentication is off (every call is the anonymous admin).
   */
  readonly authenticate?: Authenticator | undefined;
  /**
   * TLS of every server of the process, gRPC and Connect (`loadServiceTls`); its files stop being followed on
   * shutdown. None: plaintext.
   */
  readonly tls?: ServiceTls | undefined;
  /**
   * Prometheus metrics: every call of every server observed (`source.observeCalls`) and `/metrics` served at
   * `listen` (over TLS when the process serves TLS). None: no metrics, at no cost.
   */
  readonly metrics?: { readonly listen: string; readonly source: MetricsSource } | undefined;
  /** Flushes telemetry; runs last. */
  readonly flushTelemetry: () => Promise<void>;
}

/** The bound ports of one server. */
export interface BoundServer {
  readonly grpcPort: number;
  readonly httpPort: number | undefined;
}

/** A running process. */
export interface RunningHost {
  /** In the order of {@link HostOptions.servers}. */
  readonly servers: readonly BoundServer[];
  /** Settles once every component is ready. */
  readonly ready: Promise<void>;
  /** Shuts down as on SIGTERM (idempotent). */
  stop(): Promise<void>;
}

function hostOf(listen: string): string {
  return parseHostPort(listen)?.host ?? listen;
}

/**
 * Runs a service process: serves its components over gRPC (with health and reflection) and optionally
 * Connect/JSON, every call authenticated when the process has an authenticator, reports NOT_SERVING for a component until it is ready (and for the process — the readiness
 * probe's empty service name — until every component is), logs "ready", keeps stray errors from killing the
 * process, and on SIGTERM or SIGINT (once, however many arrive) reports NOT_SERVING, ends watch streams, drains
 * in-flight calls for up to the grace period, closes its components in reverse order and its connections, and
 * flushes telemetry before exiting 0.
 */
export async function runHost(options: HostOptions): Promise<RunningHost> {
  const { logger } = options;
  keepAliveOnStrayErrors((kind, error) => logger.error(`stray ${kind}: a bug, the process keeps running`, { error }));
  const onUnexpectedError = (error: unknown): void => logger.error("handler failed unexpectedly (a bug)", { error });
  const health = new HealthState();
  for (const component of options.components) {
    if (component.ready === undefined) health.register(component.service.typeName);
    else health.set(component.service.typeName, ServingStatus.NOT_SERVING);
  }
  const serving = {
    ...(options.maxDeadlineMs === undefined ? {} : { maxDeadlineMs: options.maxDeadlineMs }),
    ...(options.authenticate === undefined ? {} : { authenticate: options.authenticate }),
    tls: options.tls?.server,
    ...(options.metrics === undefined ? {} : { observe: options.metrics.source.observeCalls }),
  };
  const grpcServers: GrpcServer[] = [];
  const edges: ConnectEdge[] = [];
  const bound: BoundServer[] = [];
  for (const spec of options.servers) {
    const services = spec.components.map(registrationOf);
    const server = createGrpcServer({
      services,
      health,
      onUnexpectedError,
      maxReceiveMessageBytes: spec.exposure === "public" ? MessageLimits.EDGE_BYTES : MessageLimits.INTERNAL_BYTES,
      ...serving,
    });
    grpcServers.push(server);
    const grpcPort = await server.listen(spec.listen);
    let httpPort: number | undefined;
    if (spec.http !== undefined) {
      const edge = createConnectEdge({ services, onUnexpectedError, ...serving });
      edges.push(edge);
      const address = parseHostPort(spec.http);
      httpPort = await edge.listen(address?.host ?? spec.http, address?.port ?? 0);
    }
    bound.push({ grpcPort, httpPort });
  }
  const metricsEndpoint: MetricsEndpoint | undefined =
    options.metrics === undefined ? undefined : await startMetricsEndpoint(options.metrics.listen, options.metrics.source, options.tls?.server);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      logger.info("shutting down", { graceMs: options.shutdownGraceMs });
      await Promise.all([
        ...grpcServers.map((server) => server.shutdown(options.shutdownGraceMs)),
        ...edges.map((edge) => edge.close(options.shutdownGraceMs)),
      ]);
      await metricsEndpoint?.close();
      for (const component of [...options.components].reverse()) {
        await component.close?.().catch((error: unknown) => logger.error(`closing ${component.service.typeName} failed`, { error }));
      }
      await options.topology?.close();
      options.tls?.close();
      logger.info("stopped");
      await options.flushTelemetry();
    })();
    return stopped;
  };
  onShutdownSignal(stop, {
    onRepeat: (signal) => logger.info("already shutting down; waiting for the calls in flight", { signal }),
    forceAfterMs: options.shutdownGraceMs + 15_000,
  });

  const where = options.servers.map((spec, i) => {
    const ports = bound[i]!;
    const http = ports.httpPort === undefined || spec.http === undefined ? "" : ` http=${hostOf(spec.http)}:${ports.httpPort}`;
    return `${spec.components.map((c) => c.service.typeName).join("+")}@${hostOf(spec.listen)}:${ports.grpcPort}${http}`;
  });
  if (metricsEndpoint !== undefined && options.metrics !== undefined) where.push(`metrics@${hostOf(options.metrics.listen)}:${metricsEndpoint.port}/metrics`);
  const waiting = options.components.filter((c) => c.ready !== undefined);
  if (waiting.length > 0) logger.info("listening; waiting to be ready", { waitingFor: waiting.map((c) => c.service.typeName).join(",") });
  const ready = Promise.all(
    waiting.map((component) =>
      component.ready!.then(() => health.set(component.service.typeName, ServingStatus.SERVING)),
    ),
  ).then(() => logger.info("ready", { serving: where.join(" ") }));
  ready.catch((error: unknown) => logger.error("never became ready", { error }));
  return { servers: bound, ready, stop };
}
