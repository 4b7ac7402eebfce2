import { realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "@jest/globals";
import { startProcess, type RunningProcess, type StartProcessOptions } from "./start-process.js";

const started: RunningProcess[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()));
});

/** Runs a Node script given as source text. */
async function node(
  script: string,
  options: Partial<StartProcessOptions> = {},
): Promise<RunningProcess> {
  const running = await startProcess({
    name: "fixture",
    command: process.execPath,
    args: ["-e", script],
    readyWhen: (line) => line === "ready",
    timeoutMs: 20_000,
    ...options,
  });
  started.push(running);
  return running;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const KEEP_ALIVE = "setInterval(() => {}, 1000);";

describe("startProcess", () => {
  it("resolves once a line satisfies readyWhen, with the pid and the lines written so far", async () => {
    const p = await node(`console.log("loading"); setTimeout(() => console.log("ready"), 50); ${KEEP_ALIVE}`);

    expect(p.pid).toBeGreaterThan(0);
    expect(isAlive(p.pid)).toBe(true);
    expect(p.output).toEqual(["loading", "ready"]);
  });

  it("captures standard error as well as standard output, line by line", async () => {
    const p = await node(`process.stderr.write("warn: a\\nwarn: b\\n"); setTimeout(() => console.log("ready"), 50); ${KEEP_ALIVE}`);

    expect(p.output).toEqual(["warn: a", "warn: b", "ready"]);
  });

  it("counts a process as started at once when no readyWhen is given", async () => {
    const p = await startProcess({ name: "plain", command: process.execPath, args: ["-e", KEEP_ALIVE] });
    started.push(p);

    expect(isAlive(p.pid)).toBe(true);
  });

  it("lays env over the current environment and removes variables set to undefined", async () => {
    const p = await node(
      `console.log(JSON.stringify({ extra: process.env.EXTRA, path: process.env.PATH ?? null })); console.log("ready");`,
      { env: { EXTRA: "yes", PATH: undefined } },
    );

    expect(JSON.parse(p.output[0]!)).toEqual({ extra: "yes", path: null });
  });

  it("runs in the given working directory", async () => {
    const dir = await realpath(tmpdir());
    const p = await node(`console.log(process.cwd()); console.log("ready");`, { cwd: dir });

    expect(p.output[0]).toBe(dir);
  });

  it("keeps only the most recent maxOutputLines lines", async () => {
    const p = await node(`for (let i = 0; i < 10; i++) console.log("line " + i); console.log("ready"); ${KEEP_ALIVE}`, {
      maxOutputLines: 3,
    });

    expect(p.output).toEqual(["line 8", "line 9", "ready"]);
  });

  describe("when the process does not start", () => {
    it("rejects with the exit code and the captured output when it exits before it is ready", async () => {
      const failure = node(`console.error("config error: MODELROUTER_PORT is not a number"); process.exit(2);`);

      await expect(failure).rejects.toThrow(
        /process "fixture" \(.*\) exited with code 2 before writing its ready line; output \(1 lines\):\n {2}\| config error: MODELROUTER_PORT is not a number/,
      );
    });

    it("kills it and rejects with the captured output when it is not ready in time", async () => {
      // Long enough for a node process to print on a loaded machine; the ready line never comes.
      const failure = node(`console.log("pid " + process.pid); console.log("still loading"); ${KEEP_ALIVE}`, {
        timeoutMs: 3000,
      });

      const error = await failure.then(
        () => new Error("expected a failure"),
        (e: unknown) => e as Error,
      );
      expect(error.message).toMatch(/did not write its ready line within 3000 ms; output \(2 lines\):\n.*\| still loading/s);
      const pid = Number(/pid (\d+)/.exec(error.message)?.[1]);
      expect(isAlive(pid)).toBe(false);
    });

    it("rejects naming the command when it cannot be spawned", async () => {
      const failure = startProcess({ name: "ghost", command: "/nonexistent/modelrouter-binary" });

      await expect(failure).rejects.toThrow(/process "ghost" .* could not be started: .*ENOENT/);
    });
  });

  describe("stop", () => {
    it("sends SIGTERM and resolves with the exit code the process chose", async () => {
      const p = await node(
        `process.on("SIGTERM", () => { console.log("draining"); process.exit(3); }); console.log("ready"); ${KEEP_ALIVE}`,
      );

      await expect(p.stop()).resolves.toBe(3);
      expect(p.output).toEqual(["ready", "draining"]);
      expect(isAlive(p.pid)).toBe(false);
    });

    it("resolves with null when the signal ends a process that does not handle it", async () => {
      const p = await node(`console.log("ready"); ${KEEP_ALIVE}`);

      await expect(p.stop("SIGINT")).resolves.toBeNull();
      await expect(p.exited).resolves.toEqual({ code: null, signal: "SIGINT" });
    });

    it("kills a process that ignores the signal, then rejects with its output", async () => {
      const p = await node(
        `process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("ready"); ${KEEP_ALIVE}`,
      );

      await expect(p.stop("SIGTERM", 300)).rejects.toThrow(
        /did not exit within 300 ms of SIGTERM, so it was killed; .*\| ignoring SIGTERM/s,
      );
      await expect(p.exited).resolves.toEqual({ code: null, signal: "SIGKILL" });
    });

    it("resolves with the exit code at once when the process has already exited", async () => {
      const p = await node(`console.log("ready"); process.exitCode = 0;`);
      await p.exited;

      await expect(p.stop()).resolves.toBe(0);
    });
  });

  it("kill() ends the process with SIGKILL even if it handles SIGTERM", async () => {
    const p = await node(`process.on("SIGTERM", () => {}); console.log("ready"); ${KEEP_ALIVE}`);

    await expect(p.kill()).resolves.toEqual({ code: null, signal: "SIGKILL" });
  });

  describe("waitForLine", () => {
    it("resolves with a line written later", async () => {
      const p = await node(`console.log("ready"); setTimeout(() => console.log("listening on 127.0.0.1:4242"), 50); ${KEEP_ALIVE}`);

      await expect(p.waitForLine((line) => line.startsWith("listening"))).resolves.toBe("listening on 127.0.0.1:4242");
    });

    it("resolves with a line already written", async () => {
      const p = await node(`console.log("ready"); ${KEEP_ALIVE}`);

      await expect(p.waitForLine((line) => line === "ready", 1)).resolves.toBe("ready");
    });

    it("rejects with the output when the process exits first", async () => {
      const p = await node(`console.log("ready"); setTimeout(() => { console.error("fatal: boom"); process.exit(1); }, 50);`);

      await expect(p.waitForLine((line) => line === "never")).rejects.toThrow(
        /exited with code 1 before writing a matching line; .*\| fatal: boom/s,
      );
    });
  });
});
