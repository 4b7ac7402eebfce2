import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";

/** A process that logs with modelrouter's logger, keeps running on stray errors, and logs its way out on SIGTERM. */
const script = `
import { createLogger } from "@modelrouter/telemetry";
import { keepAliveOnStrayErrors, onShutdownSignal } from "@modelrouter/rpc-kit";
const logger = createLogger({ service: "probe" });
keepAliveOnStrayErrors((kind, error) => logger.error("stray " + kind, { error }));
onShutdownSignal(async () => {
  for (let i = 0; i < 100; i++) logger.info("shutting down", { i });
  await new Promise((resolve) => setTimeout(resolve, 200));
});
setInterval(() => logger.info("tick"), 5);
logger.info("ready");
`;

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

describe("a service whose standard output went away", () => {
  it("stops writing to it and exits on SIGTERM instead of spinning on EPIPE", async () => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "ignore"], cwd: import.meta.dirname });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const start = cpuTicks(child.pid!);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Clock ticks are 10 ms: a process spinning on EPIPE burns ~50 of them in 500 ms; one that dropped its
    // standard output only wakes to log (and drop) a line every 5 ms.
    const idle = cpuTicks(child.pid!) - start;
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(-1);
      }, 10_000);
      child.once("exit", (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code).toBe(0);
    expect(idle).toBeLessThan(25);
  }, 20_000);
});
