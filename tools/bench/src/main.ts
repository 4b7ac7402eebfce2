import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { label, runScenario, type ScenarioResult } from "./scenario.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "2000" },
    warmup: { type: "string", default: "300" },
    concurrency: { type: "string", default: "8" },
    seconds: { type: "string", default: "10" },
    json: { type: "string" },
  },
});

const budget = {
  warmupRequests: Number(values.warmup),
  sequentialRequests: Number(values.requests),
  concurrency: Number(values.concurrency),
  loadSeconds: Number(values.seconds),
};

const ms = (value: number): string => value.toFixed(2);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

log(`modelrouter latency benchmark: Infer of a 8×8 PNG scan routed to digits-lowres-specialist`);
const results: ScenarioResult[] = [];
for (const topology of ["co-located", "distributed"] as const) {
  for (const tracing of [false, true]) results.push(await runScenario({ topology, tracing }, budget, log));
}

const rows = results.map(
  (r) =>
    `| ${label(r)} | ${ms(r.sequential.p50)} | ${ms(r.sequential.p90)} | ${ms(r.sequential.p99)} | ${r.loaded.requestsPerSecond.toFixed(0)} | ${ms(r.loaded.p50)} | ${ms(r.loaded.p99)} | ${r.errors} |`,
);
const table = [
  `| topology | c1 p50 ms | c1 p90 ms | c1 p99 ms | c${budget.concurrency} req/s | c${budget.concurrency} p50 ms | c${budget.concurrency} p99 ms | errors |`,
  "|---|---|---|---|---|---|---|---|",
  ...rows,
].join("\n");
process.stdout.write(
  `${table}\n\nNode ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}; ${budget.sequentialRequests} sequential requests after ${budget.warmupRequests} warm-up, then ${budget.loadSeconds} s closed loop at concurrency ${budget.concurrency}; load generator in the same machine.\n`,
);
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify({ budget, results }, null, 2));
