/**
 * Test fixtures of the OIP server: the model zoo served on loopback by one executor — ExecutorService and
 * inference.GRPCInferenceService on one gRPC port, OIP REST on another — with clients of both, and the tensor
 * of a zoo sample image as digits-general takes it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ExecutorService, GRPCInferenceService, type ImagePreprocessing, type Model } from "@modelrouter/contracts";
import { loadDemoModels, modelZooDir, samplesDir } from "@modelrouter/model-zoo";
import { type ServiceClient, createGrpcChannel, createGrpcClient, createGrpcServer, serviceRegistration } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { createExecutorService } from "../executor-service.js";
import { builtWorkerUrl } from "../executor.test-support.js";
import { DEFAULT_MAX_MODEL_BYTES } from "../model-file.js";
import { preprocessImage } from "../preprocess-image.js";
import { type WorkerPool, createWorkerPool } from "../worker-pool.js";
import { type OipComponent, startOipServing } from "./oip-component.js";
import { OipModelCatalogue } from "./oip-models.js";

/** The zoo's catalogue entry of a model. */
export function zooModel(name: string): Model {
  const model = loadDemoModels().find((m) => m.name === name);
  if (model === undefined) throw new Error(`the zoo catalogue has no model ${name}`);
  return model;
}

/** The float32 [1, 1, 28, 28] tensor digits-general takes for a zoo sample image, by its own pre-processing. */
export function digitTensor(sample = "mnist-7-0.png"): Float32Array {
  const backend = zooModel("digits-general").backend?.kind;
  const pre = backend?.case === "onnx" ? backend.value.preprocessing?.kind : undefined;
  if (pre?.case !== "image") throw new Error("digits-general has no image pre-processing");
  return preprocessImage(new Uint8Array(readFileSync(join(samplesDir(), sample))), pre.value as ImagePreprocessing).data;
}

/** A running zoo executor serving OIP over gRPC and REST. */
export interface OipTestServer {
  readonly oip: ServiceClient<typeof GRPCInferenceService>;
  readonly executor: ServiceClient<typeof ExecutorService>;
  readonly component: OipComponent;
  readonly pool: WorkerPool;
  /** The REST base URL, e.g. `http://127.0.0.1:41234`. */
  readonly restUrl: string;
  close(): Promise<void>;
}

/** Options of {@link startOipTestServer}. */
export interface OipTestServerOptions {
  /** The REST body limit (default: the executor's). */
  readonly maxBodyBytes?: number;
  /** The pool's queue bounds (default: a roomy queue). */
  readonly maxQueued?: number;
  /** The model root (default: the zoo's). */
  readonly modelRoot?: string;
  /** The served models (default: the zoo's catalogue; only its ACTIVE ONNX versions are served). */
  readonly models?: readonly Model[];
}

/** Starts {@link OipTestServer} on the zoo's ACTIVE models (or the given ones), with one worker. */
export async function startOipTestServer(options: OipTestServerOptions = {}): Promise<OipTestServer> {
  const logger = createLogger({ service: "oip-test", write: () => undefined });
  const modelRoot = options.modelRoot ?? modelZooDir();
  const pool = createWorkerPool({
    modelRoot,
    size: 1,
    workerUrl: builtWorkerUrl(),
    logger,
    ...(options.maxQueued === undefined ? {} : { maxQueued: options.maxQueued, maxQueuedPerModel: options.maxQueued }),
  });
  const component = startOipServing({
    pool,
    files: { root: modelRoot, maxBytes: DEFAULT_MAX_MODEL_BYTES },
    ready: pool.ready(),
    logger,
    models: OipModelCatalogue.of(options.models ?? loadDemoModels()),
  });
  await pool.ready();
  const server = createGrpcServer({
    services: [
      serviceRegistration(ExecutorService, createExecutorService({ pool, logger })),
      serviceRegistration(GRPCInferenceService, component.impl),
    ],
  });
  const port = await server.listen("127.0.0.1:0");
  const http = await component.serveHttp("127.0.0.1:0", options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes });
  const channel = createGrpcChannel(`127.0.0.1:${port}`);
  return {
    oip: createGrpcClient(GRPCInferenceService, channel, { defaultTimeoutMs: 30_000 }),
    executor: createGrpcClient(ExecutorService, channel, { defaultTimeoutMs: 30_000 }),
    component,
    pool,
    restUrl: `http://127.0.0.1:${http.port}`,
    async close() {
      channel.close();
      await component.close();
      await server.shutdown(1_000);
      await pool.close();
    },
  };
}

/** The little-endian bytes of float32 elements. */
export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return bytes;
}

/** The float32 elements of little-endian bytes. */
export function float32Values(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}
