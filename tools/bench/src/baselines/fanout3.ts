import { INFER_PATH, createRawClient, statusName } from "../grpc/raw-grpc.js";
import { parseBaselineArgs, serveBaseline } from "./baseline-process.js";

/**
 * The distributed topology's shape without its logic: a front (raw grpc-js server, same path and answer as the
 * echo baseline) that, per request, makes three sequential unary calls (raw grpc-js clients, Buffer
 * passthrough, a deadline on each) to three downstream echo processes, then answers.
 * `node dist/baselines/fanout3.js --listen … --response-file FILE --downstream A:P,B:P,C:P [--deadline-ms 5000]`.
 */
const args = parseBaselineArgs(process.argv.slice(2), ["downstream", "deadline-ms"]);
const addresses = (args.extra["downstream"] ?? "").split(",").filter((a) => a !== "");
if (addresses.length === 0) throw new Error("--downstream needs at least one HOST:PORT");
const deadlineMs = Number(args.extra["deadline-ms"] ?? "5000");
const hops = addresses.map((address) => createRawClient({ address, path: INFER_PATH }));
await Promise.all(hops.map((hop) => hop.ready(10_000)));

await serveBaseline(
  args.listen,
  async (request) => {
    for (const hop of hops) {
      const { code } = await hop.call(request, deadlineMs);
      if (code !== 0) throw new Error(`downstream call failed: ${statusName(code)}`);
    }
    return args.response;
  },
  () => hops.forEach((hop) => hop.close()),
);
