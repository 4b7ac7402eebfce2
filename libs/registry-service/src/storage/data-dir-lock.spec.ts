import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE_NAME } from "./data-dir-lock.js";

describe("acquireDataDirLock", () => {
  let dir: string;
  let children: ChildProcess[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "registry-lock-"));
    children = [];
  });

  afterEach(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  const lockPath = (): string => join(dir, LOCK_FILE_NAME);
  const writeLock = (owner: object): Promise<void> => writeFile(lockPath(), JSON.stringify(owner));

  /** A child process that lives until killed; resolves once it runs. */
  const liveProcess = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ["-e", "process.stdout.write('up'); setInterval(() => {}, 1000)"]);
    children.push(child);
    await new Promise((resolve) => child.stdout?.once("data", resolve));
    return child;
  };

  /** The pid of a process that has exited. */
  const deadPid = async (): Promise<number> => {
    const child = spawn(process.execPath, ["-e", ""]);
    const pid = child.pid!;
    await new Promise((resolve) => child.once("exit", resolve));
    return pid;
  };

  it("creates the directory and a lock file naming this process; release removes it", async () => {
    const nested = join(dir, "a", "b");
    const lock = await acquireDataDirLock(nested);
    const owner = JSON.parse(await readFile(join(nested, LOCK_FILE_NAME), "utf8")) as Record<string, unknown>;
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname() });
    await lock.release();
    await expect(readFile(join(nested, LOCK_FILE_NAME))).rejects.toThrow(/ENOENT/);
    await lock.release();
  });

  it("refuses a second lock while the first is held, with a message that says who holds it and what to do", async () => {
    const lock = await acquireDataDirLock(dir);
    const error = await acquireDataDirLock(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as Error).message).toContain(`in use by process ${process.pid}`);
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toMatch(/stop the other process or use another directory/);
    await lock.release();
    const again = await acquireDataDirLock(dir);
    await again.release();
  });

  it("refuses a lock held by another live process", async () => {
    const child = await liveProcess();
    await writeLock({ pid: child.pid, hostname: hostname(), since: "2024-01-01T00:00:00Z" });
    await expect(acquireDataDirLock(dir)).rejects.toThrow(`in use by process ${child.pid}`);
  });

  it("takes over a lock left by a dead process", async () => {
    await writeLock({ pid: await deadPid(), hostname: hostname(), since: "2024-01-01T00:00:00Z" });
    const lock = await acquireDataDirLock(dir);
    expect(JSON.parse(await readFile(lockPath(), "utf8"))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it("takes over a lock whose pid now belongs to another process (a different start time)", async () => {
    await writeLock({ pid: process.pid, hostname: hostname(), startTicks: "1", since: "2024-01-01T00:00:00Z" });
    const lock = await acquireDataDirLock(dir);
    expect(JSON.parse(await readFile(lockPath(), "utf8"))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it("takes over an unreadable lock file (a crash while it was written)", async () => {
    await writeFile(lockPath(), "");
    const lock = await acquireDataDirLock(dir);
    expect(JSON.parse(await readFile(lockPath(), "utf8"))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it("does not remove a lock that another process took over after this one lost it", async () => {
    const lock = await acquireDataDirLock(dir);
    await writeLock({ pid: 1, hostname: "elsewhere", since: "2024-01-01T00:00:00Z" });
    await lock.release();
    expect(JSON.parse(await readFile(lockPath(), "utf8"))).toMatchObject({ hostname: "elsewhere" });
  });
});
