import type { ExecuteRequest, OipBackend } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import { Code, RpcError } from "@modelrouter/rpc-kit";
import { type Logger, withSpan } from "@modelrouter/telemetry";
import { modelUnavailable } from "../model-errors.js";
import { postprocess } from "../postprocess.js";
import { type CompiledPreprocessing, compilePreprocessing } from "../preprocess/compile-preprocessing.js";
import { makeFeed } from "../preprocess/make-feed.js";
import { DEFAULT_IMAGE_LIMITS, type ImageLimits, type ModelSource, type TaskOutput } from "../worker-protocol.js";
import type { EndpointAccess } from "./endpoint-access.js";
import { EndpointConnector } from "./endpoint-connection.js";
import { EndpointPool } from "./endpoint-pool.js";
import { parseEndpointUrl } from "./endpoint-url.js";
import { createGrpcTransport } from "./grpc-transport.js";
import { type CheckedModel, checkModelMetadata } from "./metadata-check.js";
import { datatypeOfElement, elementTypeOf } from "../oip-datatypes.js";
import { notServableError, oipError, readinessLogger } from "./oip-errors.js";
import { planOipInference, remoteModelSource } from "./oip-plan.js";
import type { OipCall, OipTransport } from "./oip-types.js";
import { createRestTransport } from "./rest-transport.js";

/** The most endpoints a model version may list. */
export const MAX_ENDPOINTS = 16;

/** Options of {@link createRemoteModels}. */
export interface RemoteModelsOptions {
  /** The egress policy and credential store (`egressEndpointAccess`). */
  readonly access: EndpointAccess;
  /** How often each endpoint's readiness is checked, in milliseconds; 0: never. */
  readonly healthIntervalMs: number;
  readonly logger: Logger;
  /** Limits on the images pre-processing decodes (default: the workers' defaults). */
  readonly imageLimits?: ImageLimits;
  /** The most bytes of one answer from a server (default 64 MiB). */
  readonly maxResponseBytes?: number;
}

/** What an Execute of a remote model answers. */
export interface RemoteResult {
  readonly outputs: readonly TaskOutput[];
  /** The time the server took, as the executor saw it (pre- and post-processing excluded), in milliseconds. */
  readonly inferenceMs: number;
}

/** The executor's models served by OIP v2 servers: connections, health checks and load checks per version. */
export interface RemoteModels {
  /**
   * Runs an Execute of an `oip` model: the payload pre-processed into the input tensor, sent to an endpoint
   * (chosen by load, retried on another when it is unavailable), the output post-processed.
   *
   * @throws DomainError INVALID_FIELD / PAYLOAD_UNSUPPORTED for a bad request (see `planOipInference`);
   *   MODEL_UNAVAILABLE naming `backend.oip.endpoints[i]` for an endpoint that is not a usable URL; RpcError
   *   FAILED_PRECONDITION when the server's metadata does not fit the registration (naming the mismatch); the
   *   servers' failures mapped by `oip-errors.ts` (UNAVAILABLE, DEADLINE_EXCEEDED, INVALID_ARGUMENT, …).
   */
  execute(request: ExecuteRequest, call: OipCall): Promise<RemoteResult>;
  /**
   * Connects a registered version ahead of its first request and checks its metadata. Resolves with the problem
   * that leaves it unservable (also logged), or undefined when it is ready; rejects when no endpoint answered.
   */
  load(name: string, version: string, backend: OipBackend, call: OipCall): Promise<string | undefined>;
  /** Closes a version's connections and forgets its check. */
  unload(name: string, version: string): void;
  close(): void;
}

interface Entry {
  readonly key: string;
  readonly model: ModelSource;
  readonly backend: OipBackend;
  readonly pool: EndpointPool;
  /** The load check's outcome, once a server answered ModelMetadata. */
  checked: Promise<CheckedModel | string> | undefined;
}

/** Creates the executor's {@link RemoteModels}. */
export function createRemoteModels(options: RemoteModelsOptions): RemoteModels {
  const { access, logger } = options;
  const settings = { imageLimits: options.imageLimits ?? DEFAULT_IMAGE_LIMITS };
  const entries = new Map<string, Entry>();
  const refOf = (name: string, version: string) => `${name}@${version}`;

  const transportsOf = (model: ModelSource, backend: OipBackend): OipTransport[] => {
    if (backend.endpoints.length === 0 || backend.endpoints.length > MAX_ENDPOINTS) {
      throw modelUnavailable(model, `its backend.oip.endpoints lists ${backend.endpoints.length} endpoints; register 1 to ${MAX_ENDPOINTS}`);
    }
    return backend.endpoints.map((e, i) => {
      const parsed = parseEndpointUrl(e.url);
      if (typeof parsed === "string") throw modelUnavailable(model, `its backend.oip.endpoints[${i}].url ${parsed}`);
      const connector = new EndpointConnector(parsed, e.credential, access);
      const limits = options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes };
      return parsed.protocol === "grpc"
        ? createGrpcTransport({ endpoint: parsed, connector, ...limits })
        : createRestTransport({ endpoint: parsed, connector, binaryData: backend.binaryData, ...limits });
    });
  };

  const entryFor = (name: string, version: string, backend: OipBackend): Entry => {
    const model = remoteModelSource(name, version, backend);
    const ref = refOf(name, version);
    const known = entries.get(ref);
    if (known?.key === model.key) return known;
    known?.pool.close();
    const remoteName = backend.modelName === "" ? name : backend.modelName;
    const pool = new EndpointPool(transportsOf(model, backend), {
      model: remoteName,
      version: backend.modelVersion,
      healthIntervalMs: options.healthIntervalMs,
      onReadiness: readinessLogger(logger, "OIP", name, version),
    });
    const entry: Entry = { key: model.key, model, backend, pool, checked: undefined };
    entries.set(ref, entry);
    return entry;
  };

  const notServable = (model: ModelSource, problem: string): RpcError => notServableError("OIP", model, problem);

  const check = (entry: Entry, preprocessing: CompiledPreprocessing | undefined, call: OipCall): Promise<CheckedModel | string> => {
    if (entry.checked !== undefined) return entry.checked;
    const { backend, model } = entry;
    const remoteName = backend.modelName === "" ? model.name : backend.modelName;
    const pending = entry.pool.run(call, async (transport) => {
      try {
        const ready = await transport.modelReady(remoteName, backend.modelVersion, call);
        if (!ready) throw oipError(Code.UNAVAILABLE, transport.url, `model "${remoteName}" is not ready`, { retry: true });
        const metadata = await transport.modelMetadata(remoteName, backend.modelVersion, call);
        return checkModelMetadata(metadata, backend, preprocessing);
      } catch (error) {
        if (!(error instanceof RpcError) || error.code !== Code.NOT_FOUND) throw error;
        const wanted = backend.modelVersion === "" ? `"${remoteName}"` : `"${remoteName}" version "${backend.modelVersion}"`;
        throw notServable(model, `the server at ${transport.url} has no model ${wanted} (backend.oip.model_name, model_version): ${error.message}`);
      }
    });
    entry.checked = pending;
    pending.then(
      (outcome) => {
        if (typeof outcome === "string") logger.warn("OIP model does not fit its registration; it is not servable", { model: model.name, version: model.version, problem: outcome });
      },
      () => {
        if (entry.checked === pending) entry.checked = undefined;
      },
    );
    return pending;
  };

  return {
    async execute(request, call) {
      const plan = planOipInference(request);
      const entry = entryFor(plan.model.name, plan.model.version, plan.backend);
      const checked = await check(entry, plan.preprocessing, call);
      if (typeof checked === "string") throw notServable(plan.model, checked);
      const task = { model: plan.model, inputName: checked.inputName, outputName: checked.outputName, input: plan.input, output: plan.output };
      const feed = makeFeed(task, checked.input, settings);
      const remoteName = plan.backend.modelName === "" ? plan.model.name : plan.backend.modelName;
      const started = performance.now();
      const infer = (traced: OipCall) =>
        entry.pool.run(traced, (transport) =>
          transport.infer(
            {
              model: remoteName,
              version: plan.backend.modelVersion,
              input: { name: checked.inputName, datatype: datatypeOfElement(feed.type), shape: feed.dims, data: feed.data },
              outputName: checked.outputName,
            },
            traced,
          ),
        );
      const attributes = { "oip.model": remoteName, "oip.model_version": plan.backend.modelVersion, "oip.endpoints": entry.pool.urls.length };
      const tensor =
        call.traceContext === undefined
          ? await infer(call)
          : await withSpan("executor.oip_infer", attributes, call.traceContext, (_span, traceContext) => infer({ ...call, traceContext }));
      const inferenceMs = performance.now() - started;
      const output = postprocess({ name: tensor.name, type: elementTypeOf(tensor.datatype) ?? tensor.datatype, dims: tensor.shape, data: tensor.data }, plan.output, plan.model);
      return { outputs: [output], inferenceMs };
    },
    async load(name, version, backend, call) {
      const v = new Violations();
      const pre = backend.preprocessing === undefined ? undefined : compilePreprocessing(backend.preprocessing, "backend.oip.preprocessing", v);
      if (!v.empty) return v.items.map((item) => `${item.field} ${item.description}`).join("; ");
      const outcome = await check(entryFor(name, version, backend), pre, call);
      return typeof outcome === "string" ? outcome : undefined;
    },
    unload(name, version) {
      const ref = refOf(name, version);
      entries.get(ref)?.pool.close();
      entries.delete(ref);
    },
    close() {
      for (const entry of entries.values()) entry.pool.close();
      entries.clear();
    },
  };
}
