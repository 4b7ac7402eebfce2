import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { InferResponseSchema } from "@modelrouter/contracts";
import { createProcessGroup, type RunningProcess } from "@modelrouter/testing";
import { READY_MARK } from "../baselines/baseline-process.js";
import { EXPECTED_MODEL } from "../grpc/payloads.js";
import { INFER_PATH, createRawClient, statusName } from "../grpc/raw-grpc.js";
import type { RunningScenario } from "./running-scenario.js";
import type { ScenarioSpec } from "./scenario-spec.js";

const distDir = fileURLToPath(new URL("..", import.meta.url));

function portOf(process: RunningProcess): number {
  const line = process.output.find((l) => l.includes(READY_MARK));
  const port = line === undefined ? undefined : (JSON.parse(line) as { port?: unknown }).port;
  if (typeof port !== "number") throw new Error(`${process.name} did not announce its port`);
  return port;
}

/** The bytes of a bare model server's answer to `request`, once it answers it with the benchmark's model. */
async function modelServerAnswer(address: string, request: Uint8Array): Promise<number> {
  const client = createRawClient({ address, path: INFER_PATH });
  try {
    await client.ready(10_000);
    const { code, response } = await client.call(Buffer.from(request), 30_000);
    if (code !== 0) throw new Error(`the bare model server at ${address} answered the benchmark request with ${statusName(code)}`);
    const answer = fromBinary(InferResponseSchema, response);
    const top = answer.outputs[0]?.value;
    if (answer.model?.name !== EXPECTED_MODEL || top?.case !== "classification" || top.value.labels.length === 0) {
      throw new Error(`the bare model server at ${address} did not answer with ${EXPECTED_MODEL}'s scores`);
    }
    return response.length;
  } finally {
    client.close();
  }
}

/** What starting a baseline needs. */
export interface BaselineInputs {
  /** The encoded benchmark request (the bare model servers are checked with it). */
  readonly request: Uint8Array;
  /** The fixed answer of the echo servers. */
  readonly response: Uint8Array;
  /** A temporary directory for the baselines' files. */
  readonly workDir: string;
}

/**
 * Starts a baseline scenario as real processes: `echo` (one bare grpc-js server), `fanout3` (a front and three
 * downstream echo servers), each answering with the fixed `response` (written to `workDir`); or a bare model
 * server, `model-main` or `model-pool`, which answers with its model's scores once it has answered the benchmark
 * request correctly.
 */
export async function startBaseline(spec: ScenarioSpec, inputs: BaselineInputs): Promise<RunningScenario> {
  const responseFile = join(inputs.workDir, `${spec.id}-response.bin`);
  await writeFile(responseFile, inputs.response);
  const group = createProcessGroup();
  const start = (name: string, script: string, extra: readonly string[] = ["--response-file", responseFile]): Promise<RunningProcess> =>
    group.start({
      name,
      command: process.execPath,
      args: [join(distDir, "baselines", script), "--listen", "127.0.0.1:0", ...extra],
      readyWhen: (line) => line.includes(READY_MARK),
      timeoutMs: 30_000,
    });
  try {
    let processes: RunningProcess[];
    let responseBytes = inputs.response.length;
    if (spec.modelServer === true) {
      processes = [await start(spec.id, `${spec.id}.js`, [])];
      responseBytes = await modelServerAnswer(`127.0.0.1:${portOf(processes[0]!)}`, inputs.request);
    } else if (spec.id === "echo") {
      processes = [await start("echo", "echo.js")];
    } else if (spec.id === "fanout3") {
      const hops = await Promise.all(["hop1", "hop2", "hop3"].map((name) => start(name, "echo.js")));
      const downstream = hops.map((hop) => `127.0.0.1:${portOf(hop)}`).join(",");
      const front = await start("front", "fanout3.js", ["--response-file", responseFile, "--downstream", downstream, "--deadline-ms", "5000"]);
      processes = [front, ...hops];
    } else {
      throw new Error(`${spec.id} is not a baseline`);
    }
    return {
      spec,
      address: `127.0.0.1:${portOf(processes[0]!)}`,
      processes: processes.map((p) => ({ name: p.name, pid: p.pid })),
      responseBytes,
      stop: async () => {
        await group.stopAll("SIGTERM", 10_000);
      },
    };
  } catch (error) {
    await group.stopAll("SIGKILL").catch(() => undefined);
    throw error;
  }
}
