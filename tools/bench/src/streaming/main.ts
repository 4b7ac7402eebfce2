import { mkdir, readFile, writeFile } from "node:fs/promises";
import * as http from "node:http";
import { dirname, join, relative } from "node:path";
import { fromJson } from "@bufbuild/protobuf";
import { ModelSchema, PolicySchema, type RouterService } from "@modelrouter/contracts";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import { createProcessGroup, type RunningSystem, repoRoot, startModelrouter } from "@modelrouter/testing";
import { replaceSection } from "../report/doc-sections.js";
import { describeMachine, type MachineInfo } from "../report/machine-info.js";
import { type OverheadRow, overheadRow, renderOverheadTable, repetitionMedians, type RequestTiming, type ScenarioTimings } from "./stream-timing.js";

/**
 * The streaming benchmark: `node tools/bench/dist/streaming/main.js [--docs FILE|none] [--repetitions N] [--requests N]`.
 * What modelrouter adds in front of a chat model: the fake OpenAI-compatible server runs in a process of its own
 * (one delta per word, no delay, so the figures are the router's and the HTTP hop's costs, not a model's), and
 * the same prompt of 16 words is sent, one request at a time, directly to it (HTTP, keep-alive) and through
 * modelrouter co-located (gRPC InferStream and Infer; the executor calls the server as a client would). Each
 * repetition runs every scenario in turn (the order rotating), and the figures are the medians over repetitions
 * of each repetition's median.
 *
 * Results go to `tools/bench/results/streaming.json` and the `bench:streaming` section of docs/benchmarks.md.
 */
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const PROMPT = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";
const MODEL = "chat-bench";

type Scenario = "direct-stream" | "router-stream" | "direct-unary" | "router-unary";
const SCENARIOS: readonly Scenario[] = ["direct-stream", "router-stream", "direct-unary", "router-unary"];

export interface StreamingResult {
  readonly startedAt: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly repetitions: number;
  readonly requestsPerScenario: number;
  readonly rows: readonly OverheadRow[];
}

/** Calls the server's chat completions directly, timing the first delta (streamed) and the end. */
function directCall(url: URL, agent: http.Agent, stream: boolean): Promise<RequestTiming> {
  const body = JSON.stringify({ model: "reverse-words", messages: [{ role: "user", content: PROMPT }], stream, ...(stream ? { stream_options: { include_usage: true } } : {}) });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, method: "POST", host: url.hostname, port: url.port, path: `${url.pathname}/chat/completions`, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (response) => {
        let first = Number.NaN;
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
          if (Number.isNaN(first) && (!stream || text.includes('"content"'))) first = performance.now();
        });
        response.on("end", () => {
          if (response.statusCode !== 200 || (stream && !text.includes("[DONE]"))) reject(new Error(`the server answered ${response.statusCode}: ${text.slice(0, 200)}`));
          else resolve({ firstUs: (first - started) * 1000, totalUs: (performance.now() - started) * 1000 });
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

async function routerStream(router: ServiceClient<typeof RouterService>): Promise<RequestTiming> {
  const started = performance.now();
  let first = Number.NaN;
  let done = false;
  for await (const message of router.inferStream({ request: { payload: { kind: { case: "text", value: PROMPT } } } }, { timeoutMs: 10_000 })) {
    if (message.event.case === "delta" && Number.isNaN(first)) first = performance.now();
    if (message.event.case === "done") done = true;
  }
  if (!done) throw new Error("the stream ended without its done message");
  return { firstUs: (first - started) * 1000, totalUs: (performance.now() - started) * 1000 };
}

async function routerUnary(router: ServiceClient<typeof RouterService>): Promise<RequestTiming> {
  const started = performance.now();
  const answer = await router.infer({ payload: { kind: { case: "text", value: PROMPT } } }, { timeoutMs: 10_000 });
  if (answer.outputs[0]?.value.case !== "generation") throw new Error("the answer is not a generation");
  const us = (performance.now() - started) * 1000;
  return { firstUs: us, totalUs: us };
}

export function renderStreamingMarkdown(r: StreamingResult): string {
  return [
    `Measured ${r.startedAt} on ${r.machine.cores} × ${r.machine.cpuModel}, Node ${r.machine.node}; \`${r.command}\`. The fake OpenAI-compatible`,
    `server in its own process (16 deltas, no delay between them); modelrouter co-located (one process), tracing off;`,
    `one request at a time; ${r.requestsPerScenario} requests per scenario in each of ${r.repetitions} interleaved repetitions; medians over repetitions of each`,
    `repetition's median. "First piece" is the first delta of a streamed answer (the whole answer when not streamed).`,
    "",
    renderOverheadTable(r.rows),
  ].join("\n");
}

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, such as ${fallback}`);
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const docsArg = args[args.indexOf("--docs") + 1];
  const docsPath = args.includes("--docs") ? (docsArg === "none" ? undefined : docsArg) : join(repoRoot, "docs/benchmarks.md");
  const repetitions = option(args, "--repetitions", 5);
  const requests = option(args, "--requests", 200);
  const command = ["node", relative(repoRoot, process.argv[1] ?? "tools/bench/dist/streaming/main.js"), ...args].join(" ");
  const startedAt = new Date().toISOString();
  const group = createProcessGroup();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let system: RunningSystem | undefined;
  try {
    const serverProcess = await group.start({
      name: "fake-openai",
      command: process.execPath,
      args: [join(repoRoot, "tools/bench/dist/streaming/fake-openai-process.js")],
      cwd: repoRoot,
      env: {},
      readyWhen: (line) => line.startsWith('{"url"'),
      timeoutMs: 30_000,
    });
    const url = new URL((JSON.parse(serverProcess.output.find((l) => l.startsWith('{"url"'))!) as { url: string }).url);
    log(`  the model server is at ${url.href}; starting modelrouter co-located…`);
    system = await startModelrouter("co-located", { OTEL_SDK_DISABLED: "true", MODELROUTER_EGRESS_ALLOW: "127.0.0.1", MODELROUTER_EXECUTOR_REMOTE_HEALTH_INTERVAL: "0" });
    await system.registry.registerModel({
      model: fromJson(ModelSchema, {
        name: MODEL,
        version: "1",
        task: "chat",
        modality: "MODALITY_TEXT",
        status: "MODEL_STATUS_ACTIVE",
        backend: { openai: { endpoints: [{ url: url.href }], modelName: "reverse-words" } },
      }),
    });
    await system.registry.applyPolicy({
      policy: fromJson(PolicySchema, { name: "chat-bench", priority: 1000, when: 'input.modality == "text"', defaultRoute: { targets: [{ model: { name: MODEL } }] } }),
    });
    const router = system.router;
    const run = (scenario: Scenario): Promise<RequestTiming> => {
      switch (scenario) {
        case "direct-stream":
          return directCall(url, agent, true);
        case "direct-unary":
          return directCall(url, agent, false);
        case "router-stream":
          return routerStream(router);
        case "router-unary":
          return routerUnary(router);
      }
    };
    const settle = Date.now() + 30_000;
    for (;;) {
      try {
        await routerUnary(router);
        break;
      } catch (error) {
        if (Date.now() > settle) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    log("  warming up…");
    for (const scenario of SCENARIOS) for (let i = 0; i < 200; i++) await run(scenario);
    const timings = new Map<Scenario, { firstUs: number[]; totalUs: number[] }>(SCENARIOS.map((s) => [s, { firstUs: [], totalUs: [] }]));
    for (let rep = 0; rep < repetitions; rep++) {
      const order = SCENARIOS.map((_, i) => SCENARIOS[(i + rep) % SCENARIOS.length]!);
      for (const scenario of order) {
        const sample: RequestTiming[] = [];
        for (let i = 0; i < requests; i++) sample.push(await run(scenario));
        const m = repetitionMedians(sample);
        timings.get(scenario)!.firstUs.push(m.firstUs);
        timings.get(scenario)!.totalUs.push(m.totalUs);
      }
      log(`  repetition ${rep + 1} of ${repetitions} done`);
    }
    const of = (s: Scenario): ScenarioTimings => timings.get(s)!;
    const result: StreamingResult = {
      startedAt,
      command,
      machine: describeMachine(repoRoot, undefined),
      repetitions,
      requestsPerScenario: requests,
      rows: [overheadRow("streamed (InferStream)", of("direct-stream"), of("router-stream")), overheadRow("not streamed (Infer)", of("direct-unary"), of("router-unary"))],
    };
    const jsonPath = join(repoRoot, "tools/bench/results/streaming.json");
    await mkdir(dirname(jsonPath), { recursive: true });
    await writeFile(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
    const markdown = renderStreamingMarkdown(result);
    log(`\n${markdown}`);
    if (docsPath !== undefined) await writeFile(docsPath, replaceSection(await readFile(docsPath, "utf8"), "streaming", markdown));
  } finally {
    agent.destroy();
    await system?.stop();
    await group.stopAll("SIGTERM", 10_000).catch(() => undefined);
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  log(`streaming benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
