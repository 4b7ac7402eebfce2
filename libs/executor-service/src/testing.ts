/**
 * The executor's parts for other projects' tests: an executor service on a worker pool of their choosing.
 * Production code imports the main entry point only (enforced by lint).
 *
 * @packageDocumentation
 */
export { createExecutorService, type ExecutorServiceOptions } from "./executor-service.js";
export { createWorkerPool, type WorkerPool, type WorkerPoolOptions } from "./worker-pool.js";
export {
  FAKE_CHAT_MODEL,
  reverseWords,
  startFakeOpenAiServer,
  type FakeOpenAiRequest,
  type FakeOpenAiServer,
  type FakeOpenAiServerOptions,
} from "./openai-client/openai-server.test-support.js";

/**
 * The built worker entry, `dist/onnx-worker.js`, to pass as `workerUrl`: tests that run this package from its
 * TypeScript sources (Jest maps workspace packages to `src/`) need it, since the default would name a source file.
 */
export function builtWorkerUrl(): URL {
  const here = new URL(".", import.meta.url);
  return here.pathname.endsWith("/src/") ? new URL("../dist/onnx-worker.js", here) : new URL("onnx-worker.js", here);
}
