import { parseBaselineArgs, serveBaseline } from "./baseline-process.js";

/**
 * The bare echo baseline: a raw grpc-js server on the `RouterService/Infer` path that answers every request at
 * once with a fixed pre-encoded `InferResponse` — the floor under any Node gRPC service on this machine.
 * `node dist/baselines/echo.js --listen 127.0.0.1:0 --response-file FILE`.
 */
const args = parseBaselineArgs(process.argv.slice(2));
await serveBaseline(args.listen, () => args.response);
