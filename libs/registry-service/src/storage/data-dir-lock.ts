import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

/** The name of the lock file inside a PGlite data directory. */
export const LOCK_FILE_NAME = "modelrouter-registry.lock";

/** Who holds a data directory: written as JSON into the lock file. */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** The owner's start time in clock ticks since boot (`/proc/<pid>/stat` field 22), to detect reused pids. */
  readonly startTicks?: string;
  /** When the lock was taken, ISO 8601. */
  readonly since: string;
}

/** A held lock on a data directory. */
export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still this process's. Safe to call more than once. */
  release(): Promise<void>;
}

/** Thrown when another live process holds the data directory. */
export class DataDirLockedError extends Error {
  override readonly name = "DataDirLockedError";

  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner | undefined,
  ) {
    const who =
      owner === undefined
        ? "another process (its lock file is being written)"
        : `process ${owner.pid} on host "${owner.hostname}" (since ${owner.since})`;
    super(
      `the registry data directory ${dataDir} is in use by ${who}. Two processes must never open one PGlite ` +
        `data directory (it corrupts the database): stop the other process or use another directory. If you are ` +
        `sure that no process uses it, delete ${join(dataDir, LOCK_FILE_NAME)}.`,
    );
  }
}

const ATTEMPTS = 5;
const UNREADABLE_WAIT_MS = 50;

/**
 * Takes the lock of a data directory (creating the directory if needed): a lock file holding the owner's pid.
 * A lock held by a live process fails with {@link DataDirLockedError}; a lock left by a dead process (or by
 * an earlier process whose pid was reused) is taken over. The file is created atomically (`O_EXCL`); a
 * take-over renames the stale file away first and checks that what it moved was the stale lock, so two
 * processes taking over at once cannot both win.
 */
export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE_NAME);
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), ...(await startTicksOf(process.pid)), since: new Date().toISOString() };
  const content = JSON.stringify(owner);
  let unreadable = 0;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createExclusive(path, content)) return heldLock(path, content);
    const existing = await readFile(path, "utf8").catch(ignoreMissing);
    if (existing === undefined) continue;
    const holder = parseOwner(existing);
    if (holder === undefined && unreadable++ === 0) {
      // Possibly a lock file being written right now: look again before calling it stale.
      await new Promise((resolve) => setTimeout(resolve, UNREADABLE_WAIT_MS));
      attempt--;
      continue;
    }
    if (holder !== undefined && (await isAlive(holder))) throw new DataDirLockedError(dataDir, holder);
    await takeOverStale(dataDir, path, existing);
  }
  throw new DataDirLockedError(dataDir, undefined);
}

async function takeOverStale(dataDir: string, path: string, staleContent: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return;
    throw error;
  }
  const moved = await readFile(aside, "utf8");
  await rm(aside, { force: true });
  if (moved !== staleContent) {
    // Another process took the lock over between our read and our rename: give it back and yield.
    await createExclusive(path, moved);
    throw new DataDirLockedError(dataDir, parseOwner(moved));
  }
}

function heldLock(path: string, content: string): DataDirLock {
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      const current = await readFile(path, "utf8").catch(ignoreMissing);
      if (current === content) await rm(path, { force: true });
    },
  };
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  try {
    await writeFile(path, content, { flag: "wx", mode: 0o644 });
    return true;
  } catch (error) {
    if (isErrno(error, "EEXIST")) return false;
    throw error;
  }
}

async function isAlive(owner: LockOwner): Promise<boolean> {
  if (owner.hostname !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if (isErrno(error, "ESRCH")) return false;
    if (!isErrno(error, "EPERM")) throw error;
  }
  if (owner.startTicks === undefined) return true;
  const current = await startTicksOf(owner.pid);
  return current.startTicks === undefined || current.startTicks === owner.startTicks;
}

/** The start time of a process from `/proc` (Linux); nothing elsewhere. */
async function startTicksOf(pid: number): Promise<{ startTicks?: string }> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return {};
  // The command name (field 2) may contain spaces and parentheses: count fields after its closing ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = fields[19];
  return ticks === undefined ? {} : { startTicks: ticks };
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    const record = value as Record<string, unknown>;
    if (typeof record["pid"] !== "number" || typeof record["hostname"] !== "string") return undefined;
    return {
      pid: record["pid"],
      hostname: record["hostname"],
      since: typeof record["since"] === "string" ? record["since"] : "an unknown time",
      ...(typeof record["startTicks"] === "string" ? { startTicks: record["startTicks"] } : {}),
    };
  } catch {
    return undefined;
  }
}

function ignoreMissing(error: unknown): undefined {
  if (isErrno(error, "ENOENT")) return undefined;
  throw error;
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as NodeJS.ErrnoException).code === code;
}
