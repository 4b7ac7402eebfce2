/**
 * Test fixtures: a temporary model root with real ONNX files, a worker pool running the built worker
 * (`dist/onnx-worker.js`: Node cannot start a TypeScript worker), the service behind an in-process client,
 * captured log lines, and builders for requests and images.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type MessageInitShape, clone, create } from "@bufbuild/protobuf";
import {
  BackendSchema,
  ColorMode,
  DataType,
  type ExecuteRequest,
  ExecuteRequestSchema,
  ExecutorService,
  type ImagePreprocessing,
  type Model,
  type OnnxBackend,
  type Payload,
  TensorLayout,
} from "@modelrouter/contracts";
import { modelZooDir } from "@modelrouter/model-zoo";
import {
  type ServiceClient,
  createDirectClient,
  createGrpcChannel,
  createGrpcClient,
  createGrpcServer,
  serviceRegistration,
} from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { PNG } from "pngjs";
import { createExecutorService } from "./executor-service.js";
import { type WorkerPool, type WorkerPoolOptions, createWorkerPool } from "./worker-pool.js";
import { builtWorkerUrl as builtWorkerEntry } from "./testing.js";

/** The built worker entry. Tests need `npx tsc -b tsconfig.lib.json` first (nx runs it before `test`). */
export function builtWorkerUrl(): URL {
  const url = builtWorkerEntry();
  if (!existsSync(fileURLToPath(url))) {
    throw new Error(`${fileURLToPath(url)} is missing: build first (npx tsc -b tsconfig.lib.json)`);
  }
  return url;
}

/**
 * Writes (into `dir`) a worker entry that wraps the real one but kills its own thread, as a crash would,
 * when it is handed a task for a model named `crash-now`.
 */
export async function writeCrashingWorker(dir: string): Promise<URL> {
  const path = join(dir, "crashing-worker.mjs");
  const source = [
    'import { parentPort } from "node:worker_threads";',
    'parentPort.on("message", (m) => { if (m.type === "run" && m.task.model.name === "crash-now") process.exit(70); });',
    `await import(${JSON.stringify(builtWorkerUrl().href)});`,
  ].join("\n");
  await writeFile(path, source);
  return pathToFileURL(path);
}

/** A temporary folder of model files, removed by `remove`. */
export interface TempModelRoot {
  readonly dir: string;
  /** Writes a file under the root and returns its relative uri. */
  write(relativePath: string, bytes: Uint8Array): Promise<string>;
  remove(): Promise<void>;
}

/** Creates an empty temporary model root. */
export async function createTempModelRoot(): Promise<TempModelRoot> {
  const dir = await mkdtemp(join(tmpdir(), "executor-models-"));
  return {
    dir,
    async write(relativePath, bytes) {
      await writeFile(join(dir, relativePath), bytes);
      return relativePath;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A running executor: the pool, the service behind an in-process client, and the lines it logged. */
export interface TestExecutor {
  readonly pool: WorkerPool;
  readonly client: ServiceClient<typeof ExecutorService>;
  readonly logs: readonly Record<string, unknown>[];
  close(): Promise<void>;
}

/** Starts a pool on `modelRoot` (one worker unless told otherwise) and the service in front of it. */
export async function startTestExecutor(
  modelRoot: string,
  options: Partial<WorkerPoolOptions> = {},
): Promise<TestExecutor> {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: "executor-test",
    level: "debug",
    write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
  });
  const pool = createWorkerPool({ modelRoot, size: 1, workerUrl: builtWorkerUrl(), logger, ...options });
  await pool.ready();
  const client = createDirectClient(ExecutorService, createExecutorService({ pool, logger }), {
    defaultTimeoutMs: 60_000,
  });
  return { pool, client, logs, close: () => pool.close() };
}

/** The model zoo served over gRPC on loopback (two workers), and a gRPC client of it. */
export interface ZooExecutorServer {
  readonly client: ServiceClient<typeof ExecutorService>;
  close(): Promise<void>;
}

/** Starts {@link ZooExecutorServer}: the executor of the zoo's models, called as a remote client calls it. */
export async function startZooExecutorServer(): Promise<ZooExecutorServer> {
  const logger = createLogger({ service: "executor-zoo-test", write: () => undefined });
  const pool = createWorkerPool({ modelRoot: modelZooDir(), size: 2, workerUrl: builtWorkerUrl(), logger });
  await pool.ready();
  const server = createGrpcServer({ services: [serviceRegistration(ExecutorService, createExecutorService({ pool, logger }))] });
  const port = await server.listen("127.0.0.1:0");
  const channel = createGrpcChannel(`127.0.0.1:${port}`);
  return {
    client: createGrpcClient(ExecutorService, channel, { defaultTimeoutMs: 30_000 }),
    async close() {
      channel.close();
      await server.shutdown(1_000);
      await pool.close();
    },
  };
}

/** The request that runs catalogue `model` (its name, version and backend) on `payload`. */
export function zooRequest(model: Model, payload: MessageInitShape<typeof ExecuteRequestSchema>["payload"], requestId: string): ExecuteRequest {
  return create(ExecuteRequestSchema, {
    requestId,
    model: { name: model.name, version: model.version },
    ...(model.backend === undefined ? {} : { backend: clone(BackendSchema, model.backend) }),
    payload,
  });
}

/** An ONNX backend init. */
export type BackendInit = MessageInitShape<typeof ExecuteRequestSchema>["backend"];

/** An execute request for model `name`@1 with the given ONNX backend and payload. */
export function executeRequest(
  onnx: Partial<Omit<OnnxBackend, "$typeName" | "preprocessing" | "postprocessing">> & {
    preprocessing?: { kind: { case: "image"; value: Partial<Omit<ImagePreprocessing, "$typeName">> } };
    postprocessing?: { kind: { case: "classification"; value: { labels?: string[]; softmax?: boolean; topK?: number } } };
  },
  payload: MessageInitShape<typeof ExecuteRequestSchema>["payload"],
  name = "test-model",
): ExecuteRequest {
  return create(ExecuteRequestSchema, {
    requestId: "req-1",
    model: { name, version: "1" },
    backend: { kind: { case: "onnx", value: onnx } },
    payload,
  });
}

/** Image pre-processing settings: grayscale NCHW, scale 1 (pixel values), unless overridden. */
export function imagePreprocessing(
  init: Partial<Omit<ImagePreprocessing, "$typeName">>,
): { kind: { case: "image"; value: Partial<Omit<ImagePreprocessing, "$typeName">> } } {
  return {
    kind: {
      case: "image",
      value: { colorMode: ColorMode.GRAYSCALE, layout: TensorLayout.NCHW, scale: 1, ...init },
    },
  };
}

/** An image payload. */
export function imagePayload(data: Uint8Array): MessageInitShape<typeof ExecuteRequestSchema>["payload"] {
  return { kind: { case: "image", value: { data, mimeType: "image/png" } } };
}

/** A float32 tensor payload. */
export function floatTensorPayload(shape: number[], values: number[]): MessageInitShape<typeof ExecuteRequestSchema>["payload"] {
  return { kind: { case: "tensor", value: { dataType: DataType.FLOAT32, shape, floatData: values } } };
}

/** Encodes an RGBA image (4 values per pixel, row-major) as PNG. */
export function pngImage(width: number, height: number, rgba: readonly number[]): Uint8Array {
  const png = new PNG({ width, height });
  png.data.set(rgba);
  return new Uint8Array(PNG.sync.write(png));
}

/** Encodes an opaque grayscale image (one value per pixel, row-major) as PNG. */
export function grayPng(width: number, height: number, values: readonly number[]): Uint8Array {
  return pngImage(width, height, values.flatMap((v) => [v, v, v, 255]));
}

/** The float elements of the first output, which must be a tensor. */
export function tensorOf(response: { outputs: { value: { case: string | undefined; value?: unknown } }[] }): {
  shape: number[];
  values: number[];
} {
  const value = response.outputs[0]?.value;
  if (value?.case !== "tensor") throw new Error(`expected a tensor output, got ${String(value?.case)}`);
  const tensor = value.value as { shape: number[]; floatData: number[] };
  return { shape: tensor.shape, values: tensor.floatData };
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** Re-exported for specs that build payloads by hand. */
export type { Payload };
