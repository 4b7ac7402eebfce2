import { readFileSync } from "node:fs";
import { createRawClient, statusName } from "../grpc/raw-grpc.js";
import { runClosedLoop, runOpenLoop, type DriverDeps } from "./drivers.js";
import { parseLoadgenOptions } from "./loadgen-options.js";
import { PHASE_PREFIX, type LoadgenResult } from "./loadgen-result.js";
import { createRandom } from "./random.js";

/**
 * The load generator process: `node dist/loadgen/main.js --target … --request-file … (--rate R | --concurrency N)`.
 * Runs in its own process so that its CPU is measured apart from the servers' and the orchestrator's.
 */
async function main(): Promise<void> {
  let options;
  try {
    options = parseLoadgenOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  // Under the orchestrator: exit when it closes our stdin — early if it went away, or once it has read the
  // result and the CPU counters (so that this process is still there when they are read).
  let finished = false;
  if (options.exitWithStdin) {
    const leave = (): never => process.exit(finished ? 0 : 3);
    process.stdin.on("end", leave);
    process.stdin.on("close", leave);
    process.stdin.resume();
  }
  const request = readFileSync(options.requestFile);
  const client = createRawClient({ address: options.target, path: options.path, connections: options.connections });
  await client.ready(10_000);

  let sent = 0;
  let done = 0;
  let failed = 0;
  let responseBytes = 0;
  let cpuAtMeasure = process.cpuUsage();
  let cpuWindow: NodeJS.CpuUsage | undefined;
  const started = performance.now();
  const progress =
    options.progressS > 0
      ? setInterval(() => {
          const t = ((performance.now() - started) / 1000).toFixed(1);
          process.stderr.write(`[loadgen] ${t} s sent ${sent} done ${done} errors ${failed} in-flight ${sent - done}\n`);
        }, options.progressS * 1000)
      : undefined;

  const blocker = new Int32Array(new SharedArrayBuffer(4));
  const deps: DriverDeps = {
    now: () => Number(process.hrtime.bigint()),
    blockFor: (ms) => void Atomics.wait(blocker, 0, 0, ms),
    call: async () => {
      sent += 1;
      const { code, response } = await client.call(request, options.deadlineMs);
      done += 1;
      if (code === 0) responseBytes = response.length;
      else failed += 1;
      return code;
    },
    onPhase: (phase) => {
      if (phase === "measure") cpuAtMeasure = process.cpuUsage();
      else cpuWindow = process.cpuUsage(cpuAtMeasure);
      process.stderr.write(`${PHASE_PREFIX}${phase}\n`);
    },
  };
  const timing = { warmupS: options.warmupS, durationS: options.durationS };
  const outcome =
    options.mode.kind === "open"
      ? await runOpenLoop(
          {
            ...timing,
            ratePerSecond: options.mode.ratePerSecond,
            maxInFlight: options.mode.maxInFlight,
            arrival: options.mode.arrival,
            random: createRandom(options.seed),
            maxSendDelayS: options.deadlineMs / 1000,
          },
          deps,
        )
      : await runClosedLoop({ ...timing, concurrency: options.mode.concurrency }, deps);
  if (progress !== undefined) clearInterval(progress);
  client.close();
  const cpu = cpuWindow ?? process.cpuUsage(cpuAtMeasure);

  const statusCounts: Record<string, number> = {};
  for (const [code, n] of Object.entries(outcome.statusCounts)) statusCounts[statusName(Number(code))] = n;
  const result: LoadgenResult = {
    target: options.target,
    path: options.path,
    mode: options.mode,
    connections: options.connections,
    warmupS: options.warmupS,
    durationS: options.durationS,
    seed: options.seed,
    completed: outcome.completed,
    achievedRate: outcome.achievedRate,
    statusCounts,
    errors: outcome.errors,
    warmupCompleted: outcome.warmupCompleted,
    warmupErrors: outcome.warmupErrors,
    latencyUs: outcome.latency,
    ...(outcome.schedule === undefined
      ? {}
      : {
          schedule: {
            intended: outcome.schedule.intended,
            sent: outcome.schedule.sent,
            dropped: outcome.schedule.dropped,
            late: outcome.schedule.late,
            sendLagUs: outcome.schedule.sendLag,
          },
        }),
    cpu: {
      userMs: cpu.user / 1000,
      systemMs: cpu.system / 1000,
      perRequestUs: outcome.completed === 0 ? Number.NaN : (cpu.user + cpu.system) / outcome.completed,
    },
    requestBytes: request.length,
    responseBytes,
  };
  finished = true;
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (!options.exitWithStdin) process.exit(0);
}

await main();
