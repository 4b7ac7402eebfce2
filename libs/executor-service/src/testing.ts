/**
 * The executor's parts for other projects' tests: an executor service on a worker pool of their choosing.
 * Production code imports the main entry point only (enforced by lint).
 *
 * @packageDocumentation
 */
export { createExecutorService, type ExecutorServiceOptions } from "./executor-service.js";
export { createWorkerPool, type WorkerPool, type WorkerPoolOptions } from "./worker-pool.js";
