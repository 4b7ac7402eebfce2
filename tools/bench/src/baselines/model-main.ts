import { serveBaseline } from "./baseline-process.js";
import { loadBenchModel } from "./bench-model.js";
import { listenArg } from "./listen-arg.js";
import { encodeModelAnswer, imageOf } from "./model-answer.js";
import { createModelRunner } from "./model-runner.js";

/**
 * The bare model server, model on the serving thread: a raw grpc-js server on the `RouterService/Infer` path that
 * decodes each `InferRequest`, pre-processes its PNG as the executor does, runs `digits-lowres-specialist` in ONNX
 * Runtime on the main thread, post-processes the scores and answers an encoded `InferResponse` — a model server's
 * whole work for the benchmark request and nothing else.
 * `node dist/baselines/model-main.js --listen 127.0.0.1:0`.
 */
const model = loadBenchModel();
const runner = await createModelRunner(model);
await serveBaseline(
  listenArg(process.argv.slice(2)),
  async (request) => encodeModelAnswer(model, await runner.classify(imageOf(request))),
  () => void runner.close(),
);
