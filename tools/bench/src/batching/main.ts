import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { ExecuteRequestSchema } from "@modelrouter/contracts";
import { type RunningProcess, freePort, repoRoot, startProcess } from "@modelrouter/testing";
import { type CpuSnapshot, type CpuWindow, cpuBetween, takeCpuSnapshot, waitForQuietMachine } from "../proc/cpu-meter.js";
import { clockTicksPerSecond, readMachineCpu, readProcessCpu } from "../proc/proc-read.js";
import { replaceSection } from "../report/doc-sections.js";
import { describeMachine } from "../report/machine-info.js";
import { runLoadgen } from "../run/run-loadgen.js";
import { MLP_WIDTHS, batchableMlp } from "./batchable-model.js";
import { type BatchSetting, parseBatchingOptions, settingLabel } from "./batching-options.js";
import { type BatchingLoad, type BatchingResult, type BatchingRun, renderBatchingMarkdown } from "./batching-report.js";

/**
 * The batching benchmark: `node tools/bench/dist/batching/main.js [options]` (see `--help`). One executor
 * process per batching setting, all running side by side, serve a batchable MLP; the load generator calls
 * `ExecutorService/Execute` on each in turn (closed loop, then open-model rates), repeated; medians of
 * throughput and latency go to `tools/bench/results/batching.json` and the `bench:batching` section of
 * `docs/benchmarks.md`.
 */
const EXECUTE_PATH = "/modelrouter.executor.v1.ExecutorService/Execute";
const log = (line: string): void => void process.stderr.write(`${line}\n`);

let options;
try {
  options = parseBatchingOptions(process.argv.slice(2), repoRoot);
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
const command = ["node", relative(repoRoot, process.argv[1] ?? "tools/bench/dist/batching/main.js"), ...process.argv.slice(2)].join(" ");
const startedAt = new Date().toISOString();
const workDir = await mkdtemp(join(tmpdir(), "modelrouter-batching-"));
const features = MLP_WIDTHS[0];
const request = toBinary(
  ExecuteRequestSchema,
  create(ExecuteRequestSchema, {
    model: { name: "bench-mlp", version: "1" },
    backend: { kind: { case: "onnx", value: { uri: "mlp.onnx" } } },
    payload: {
      kind: {
        case: "tensor",
        value: { dataType: 1, shape: [1, features], floatData: Array.from({ length: features }, (_, i) => Math.sin(i)) },
      },
    },
  }),
);
const requestFile = join(workDir, "request.bin");
await writeFile(join(workDir, "mlp.onnx"), batchableMlp());
await writeFile(requestFile, request);

const executors: { setting: BatchSetting; process: RunningProcess; address: string }[] = [];
let failed = false;
try {
  for (const setting of options.settings) {
    const address = `127.0.0.1:${await freePort()}`;
    log(`  starting an executor with batching ${settingLabel(setting)} on ${address}…`);
    const child = await startProcess({
      name: `executor (${settingLabel(setting)})`,
      command: process.execPath,
      args: [join(repoRoot, "apps/executor/dist/main.js")],
      env: {
        MODELROUTER_EXECUTOR_LISTEN: address,
        MODELROUTER_MODEL_ROOT: workDir,
        MODELROUTER_EXECUTOR_MAX_BATCH_SIZE: String(setting.maxBatchSize),
        MODELROUTER_EXECUTOR_MAX_BATCH_DELAY: `${setting.maxBatchDelayMs}ms`,
        MODELROUTER_EXECUTOR_WORKERS: options.workers === undefined ? undefined : String(options.workers),
        OTEL_SDK_DISABLED: "true",
      },
      readyWhen: (line) => line.includes('"msg":"ready"'),
      timeoutMs: 60_000,
    });
    executors.push({ setting, process: child, address });
  }
  const loads: BatchingLoad[] = [
    { kind: "closed", concurrency: options.concurrency },
    ...options.rates.map((ratePerSecond): BatchingLoad => ({ kind: "open", ratePerSecond })),
  ];
  const runs: BatchingRun[] = [];
  const ticksPerSecond = clockTicksPerSecond();
  const readers = { now: () => Number(process.hrtime.bigint()), machine: readMachineCpu, process: readProcessCpu };
  for (let repetition = 1; repetition <= options.repeat; repetition++) {
    for (const load of loads) {
      // rotate the order each repetition, so that drift on the shared machine hits every setting alike
      const order = executors.map((_, i) => executors[(i + repetition - 1) % executors.length]!);
      for (const executor of order) {
        const pids = [process.pid, ...executors.map((e) => e.process.pid)];
        let before: CpuSnapshot | undefined;
        let cpu: CpuWindow | undefined;
        const gate = await waitForQuietMachine({
          maxBusyPct: options.quietMaxBusyPct,
          maxWaitS: options.quietMaxWaitS,
          sampleS: 0.5,
          ticksPerSecond,
          now: readers.now,
          machine: readMachineCpu,
          sleep: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
        });
        const result = await runLoadgen({
          target: executor.address,
          path: EXECUTE_PATH,
          requestFile,
          mode: load.kind === "closed" ? load : { kind: "open", ratePerSecond: load.ratePerSecond, arrival: "poisson", maxInFlight: 512 },
          warmupS: options.warmupS,
          durationS: options.durationS,
          connections: 1,
          deadlineMs: 10_000,
          seed: repetition,
          progressS: 0,
        }, {
          onStart: (pid) => pids.push(pid),
          onMeasureStart: () => (before = takeCpuSnapshot(pids, readers)),
          onMeasureEnd: () => (cpu = before === undefined ? undefined : cpuBetween(before, takeCpuSnapshot(pids, readers), ticksPerSecond)),
        });
        const executorCpuS = cpu?.byPid.get(executor.process.pid);
        const answered = result.completed - result.errors;
        const run: BatchingRun = {
          setting: executor.setting,
          load,
          repetition,
          throughput: result.completed === 0 ? 0 : (result.achievedRate * answered) / result.completed,
          latencyUs: result.latencyUs,
          errors: result.errors + result.warmupErrors,
          statusCounts: result.statusCounts,
          executorCpuUsPerRequest: executorCpuS === undefined || answered <= 0 ? Number.NaN : (executorCpuS * 1e6) / answered,
          foreignPct: cpu?.foreignPct ?? Number.NaN,
          startedQuiet: gate.quiet,
        };
        runs.push(run);
        log(
          `  #${repetition} ${load.kind === "closed" ? `closed ${load.concurrency}` : `${load.ratePerSecond} req/s`}, ` +
            `batching ${settingLabel(executor.setting)}: ${run.throughput.toFixed(0)} req/s, p50 ${(run.latencyUs.p50 / 1000).toFixed(2)} ms, ` +
            `p99 ${(run.latencyUs.p99 / 1000).toFixed(2)} ms, errors ${run.errors}, ` +
            `executor CPU ${run.executorCpuUsPerRequest.toFixed(0)} µs/req, foreign CPU ${run.foreignPct.toFixed(0)} %`,
        );
      }
    }
  }
  const result: BatchingResult = {
    startedAt,
    command,
    machine: describeMachine(repoRoot, undefined),
    model: `an MLP ${MLP_WIDTHS.join(" → ")} (float32, ${((MLP_WIDTHS.slice(1).reduce((n, w, i) => n + w * (MLP_WIDTHS[i] ?? 0), 0) * 4) / 2 ** 20).toFixed(1)} MiB of weights, input [batch, ${features}]), one row per request`,
    workers: options.workers === undefined ? "one worker thread per CPU" : `${options.workers} worker thread(s)`,
    warmupS: options.warmupS,
    durationS: options.durationS,
    runs,
  };
  await mkdir(dirname(options.jsonPath), { recursive: true });
  await writeFile(options.jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = renderBatchingMarkdown(result, options.settings, loads);
  log(`\n${markdown}`);
  if (options.docsPath !== undefined) {
    await writeFile(options.docsPath, replaceSection(await readFile(options.docsPath, "utf8"), "batching", markdown));
  }
  log(`result: ${options.jsonPath}${options.docsPath === undefined ? "" : `, report: ${options.docsPath}`}`);
} catch (error) {
  failed = true;
  log(`the batching benchmark could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  for (const executor of executors) await executor.process.stop().catch(() => undefined);
  await rm(workDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
