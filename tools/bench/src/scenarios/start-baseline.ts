import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createProcessGroup, type RunningProcess } from "@modelrouter/testing";
import { READY_MARK } from "../baselines/baseline-process.js";
import type { RunningScenario } from "./running-scenario.js";
import type { ScenarioSpec } from "./scenario-spec.js";

const distDir = fileURLToPath(new URL("..", import.meta.url));

function portOf(process: RunningProcess): number {
  const line = process.output.find((l) => l.includes(READY_MARK));
  const port = line === undefined ? undefined : (JSON.parse(line) as { port?: unknown }).port;
  if (typeof port !== "number") throw new Error(`${process.name} did not announce its port`);
  return port;
}

/**
 * Starts a baseline scenario as real processes: `echo` (one bare grpc-js server) or `fanout3` (a front and
 * three downstream echo servers). Every server answers with `response` (written to `workDir`).
 */
export async function startBaseline(spec: ScenarioSpec, response: Uint8Array, workDir: string): Promise<RunningScenario> {
  const responseFile = join(workDir, `${spec.id}-response.bin`);
  await writeFile(responseFile, response);
  const group = createProcessGroup();
  const start = (name: string, script: string, extra: readonly string[] = []): Promise<RunningProcess> =>
    group.start({
      name,
      command: process.execPath,
      args: [join(distDir, "baselines", script), "--listen", "127.0.0.1:0", "--response-file", responseFile, ...extra],
      readyWhen: (line) => line.includes(READY_MARK),
      timeoutMs: 30_000,
    });
  try {
    let processes: RunningProcess[];
    if (spec.id === "echo") {
      processes = [await start("echo", "echo.js")];
    } else if (spec.id === "fanout3") {
      const hops = await Promise.all(["hop1", "hop2", "hop3"].map((name) => start(name, "echo.js")));
      const downstream = hops.map((hop) => `127.0.0.1:${portOf(hop)}`).join(",");
      const front = await start("front", "fanout3.js", ["--downstream", downstream, "--deadline-ms", "5000"]);
      processes = [front, ...hops];
    } else {
      throw new Error(`${spec.id} is not a baseline`);
    }
    return {
      spec,
      address: `127.0.0.1:${portOf(processes[0]!)}`,
      processes: processes.map((p) => ({ name: p.name, pid: p.pid })),
      responseBytes: response.length,
      stop: async () => {
        await group.stopAll("SIGTERM", 10_000);
      },
    };
  } catch (error) {
    await group.stopAll("SIGKILL").catch(() => undefined);
    throw error;
  }
}
