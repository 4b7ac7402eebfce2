import { GRPCInferenceService, type RegistryService } from "@modelrouter/contracts";
import type { Component } from "@modelrouter/host";
import { runWatchLoop, type ServiceClient, type ServiceImpl } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import type { ModelFileLimits } from "../model-file.js";
import type { WorkerPool } from "../worker-pool.js";
import { createSignatureReader } from "./model-signature.js";
import { type OipEndpoint, createOipEndpoint } from "./oip-endpoint.js";
import { createOipGrpcService } from "./oip-grpc-service.js";
import { type OipHttpServer, type OipHttpServerOptions, startOipHttpServer } from "./oip-http-server.js";
import { OipModelCatalogue } from "./oip-models.js";

/** Options of {@link startOipServing}. */
export interface OipServingOptions {
  readonly pool: Pick<WorkerPool, "run" | "modelRoot">;
  /** Where model files may be read from and how large they may be (for reading model metadata). */
  readonly files: ModelFileLimits;
  /** Settles when the executor can serve (its workers started). */
  readonly ready: Promise<void>;
  readonly logger: Logger;
  /** The registry whose ACTIVE ONNX versions are served; absent: only `models` (default: none). */
  readonly registry?: ServiceClient<typeof RegistryService>;
  /** Fixed served models, used without a registry (a standalone executor, tests). */
  readonly models?: OipModelCatalogue;
  /** The deadline of one watch call and the first reconnection delay, in milliseconds (tests shorten them). */
  readonly watch?: { readonly watchTimeoutMs?: number; readonly retryDelayMs?: number };
}

/** How {@link OipComponent.serveHttp} serves REST. */
export interface OipHttpServing extends Pick<OipHttpServerOptions, "maxBodyBytes" | "inferTimeoutMs" | "tls"> {
  /** How long closing waits for requests in flight, in milliseconds (default 5 s). */
  readonly graceMs?: number;
}

/** The executor's Open Inference Protocol v2 service: gRPC handlers to serve, and REST on demand. */
export interface OipComponent extends Component<typeof GRPCInferenceService> {
  readonly impl: ServiceImpl<typeof GRPCInferenceService>;
  readonly endpoint: OipEndpoint;
  /** Starts the REST API on `listen`; {@link OipComponent.close} closes it. */
  serveHttp(listen: string, options?: OipHttpServing): Promise<OipHttpServer>;
  /**
   * Reports not ready, closes the REST servers (letting requests in flight finish) and stops following the
   * registry; later calls wait for the first.
   */
  readonly close: () => Promise<void>;
}

/**
 * Serves the executor's models over OIP v2: the served models follow the registry's model watch (ACTIVE ONNX
 * versions), inference runs in `pool`, and the server is ready once `ready` settles until it is closed.
 */
export function startOipServing(options: OipServingOptions): OipComponent {
  const logger = options.logger.child({ component: "oip" });
  const catalogue = options.models ?? new OipModelCatalogue();
  let ready = false;
  let closed = false;
  void options.ready.then(() => (ready = true), () => undefined);
  const stop = new AbortController();
  const watchTimeoutMs = options.watch?.watchTimeoutMs ?? 10 * 60_000;
  const retryDelayMs = options.watch?.retryDelayMs ?? 100;
  const registry = options.registry;
  const following =
    registry === undefined
      ? Promise.resolve()
      : runWatchLoop({
          name: "oip-models",
          open: (sinceRevision, signal) => registry.watchModels({ sinceRevision }, { signal, timeoutMs: watchTimeoutMs }),
          apply: (message) => catalogue.apply(message),
          logger,
          signal: stop.signal,
          streamTimeoutMs: watchTimeoutMs,
          retryDelayMs,
          maxRetryDelayMs: Math.max(retryDelayMs, 5_000),
        });
  const endpoint = createOipEndpoint({
    pool: options.pool,
    models: catalogue,
    signatures: createSignatureReader(options.files),
    isReady: () => ready && !closed,
    logger,
    ...(registry === undefined && options.models === undefined
      ? { unservedHint: "this executor follows no registry (MODELROUTER_REGISTRY_ADDRESS), so it serves no model over OIP" }
      : {}),
  });
  const servers: { readonly server: OipHttpServer; readonly graceMs: number | undefined }[] = [];
  let closing: Promise<void> | undefined;
  return {
    service: GRPCInferenceService,
    impl: createOipGrpcService({ endpoint }),
    endpoint,
    ready: options.ready,
    async serveHttp(listen, { graceMs, ...httpOptions } = {}) {
      const server = await startOipHttpServer({ endpoint, listen, logger, ...httpOptions });
      servers.push({ server, graceMs });
      return server;
    },
    close() {
      closing ??= (async () => {
        closed = true;
        await Promise.all(servers.map(({ server, graceMs }) => server.close(graceMs)));
        stop.abort();
        await following;
      })();
      return closing;
    },
  };
}
