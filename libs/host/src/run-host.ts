import {
  createConnectEdge,
  createGrpcServer,
  keepAliveOnStrayErrors,
  onShutdownSignal,
  ServingStatus,
  type ServiceRegistration,
} from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";

/** A part of a process that must be stopped on shutdown (a database, a worker pool, a watch). */
export interface Closeable {
  readonly name: string;
  close(): Promise<void>;
}

/** Options of {@link runHost}. */
export interface HostOptions {
  /** The process's name in logs, e.g. "router". */
  readonly name: string;
  readonly logger: Logger;
  /** The gRPC `host:port` to listen on. */
  readonly listen: string;
  readonly services: readonly ServiceRegistration[];
  /** Also serve these over Connect/JSON on HTTP at `listen` (`host:port`). */
  readonly http?: { readonly listen: string; readonly services: readonly ServiceRegistration[] };
  /**
   * Services that must not report SERVING before this settles (for example the decision engine until its
   * first snapshot is loaded). They answer NOT_SERVING until then.
   */
  readonly readiness?: { readonly services: readonly string[]; readonly ready: Promise<void> };
  /** Closed in reverse order on shutdown, after the servers. */
  readonly closeables: readonly Closeable[];
  readonly shutdownGraceMs: number;
  /** Flushes telemetry; runs last. */
  readonly flushTelemetry: () => Promise<void>;
}

/** A running process. */
export interface RunningHost {
  readonly grpcPort: number;
  readonly httpPort: number | undefined;
  stop(): Promise<void>;
}

function splitListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(":");
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(listen.slice(at + 1)) };
}

/**
 * Starts a service process: serves the services over gRPC (with health and reflection) and optionally over
 * Connect/JSON, logs "ready" once every service reports SERVING, keeps stray errors from killing the process,
 * and on SIGTERM/SIGINT reports NOT_SERVING, drains in-flight calls for up to the grace period, closes its
 * parts and flushes telemetry before exiting.
 */
export async function runHost(options: HostOptions): Promise<RunningHost> {
  const { logger } = options;
  keepAliveOnStrayErrors((kind, error) => logger.error(`stray ${kind}: a bug, the process keeps running`, { error }));
  const onUnexpectedError = (error: unknown): void => logger.error("handler failed unexpectedly (a bug)", { error });
  const server = createGrpcServer({ services: options.services, onUnexpectedError });
  for (const name of options.readiness?.services ?? []) server.health.set(name, ServingStatus.NOT_SERVING);
  const grpcPort = await server.listen(options.listen);

  let httpPort: number | undefined;
  const edge = options.http === undefined ? undefined : createConnectEdge({ services: options.http.services, onUnexpectedError });
  if (edge !== undefined && options.http !== undefined) {
    const { host, port } = splitListen(options.http.listen);
    httpPort = await edge.listen(host, port);
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      logger.info("shutting down", { graceMs: options.shutdownGraceMs });
      await Promise.all([server.shutdown(options.shutdownGraceMs), edge?.close()]);
      for (const part of [...options.closeables].reverse()) {
        await part.close().catch((error: unknown) => logger.error(`closing ${part.name} failed`, { error }));
      }
      logger.info("stopped");
      await options.flushTelemetry();
    })();
    return stopped;
  };
  onShutdownSignal(stop);

  const announce = (): void =>
    logger.info("ready", {
      grpc: `${splitListen(options.listen).host}:${grpcPort}`,
      ...(httpPort === undefined ? {} : { http: `${splitListen(options.http!.listen).host}:${httpPort}` }),
      services: options.services.map((s) => s.service.typeName).join(","),
    });
  if (options.readiness === undefined) {
    announce();
  } else {
    logger.info("listening; waiting to be ready", { waitingFor: options.readiness.services.join(",") });
    options.readiness.ready.then(
      () => {
        for (const name of options.readiness!.services) server.health.set(name, ServingStatus.SERVING);
        announce();
      },
      (error: unknown) => logger.error("never became ready", { error }),
    );
  }
  return { grpcPort, httpPort, stop };
}
