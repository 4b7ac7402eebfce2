import { serveBaseline } from "./baseline-process.js";
import { loadBenchModel } from "./bench-model.js";
import { startClassifierPool } from "./classifier-pool.js";
import { listenArg } from "./listen-arg.js";
import { encodeModelAnswer, imageOf } from "./model-answer.js";

/** Worker threads of the pool: one per core of the benchmark's 2-core machine, like the executor's default. */
const WORKERS = 2;

/**
 * The bare model server, model in a worker pool: a raw grpc-js server on the `RouterService/Infer` path that
 * decodes each `InferRequest` on the serving thread, hands its PNG to a 2-worker pool (one in flight per worker, a
 * FIFO queue) where it is pre-processed as the executor does and run in ONNX Runtime, and answers an encoded
 * `InferResponse` with the scores the worker sends back — the executor's shape without modelrouter.
 * `node dist/baselines/model-pool.js --listen 127.0.0.1:0`.
 */
const model = loadBenchModel();
const pool = await startClassifierPool(WORKERS);
await serveBaseline(
  listenArg(process.argv.slice(2)),
  async (request) => encodeModelAnswer(model, await pool.classify(imageOf(request))),
  () => void pool.close(),
);
