import { execFile } from "node:child_process";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running throwaway PostgreSQL server. */
export interface PostgresCluster {
  /** A connection URL for the `postgres` superuser on 127.0.0.1, for example `postgres://postgres@127.0.0.1:5433/postgres`. */
  readonly url: string;
  /** Stops the server (fast shutdown) and removes its directory. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Options of {@link startPostgresCluster}. */
export interface PostgresClusterOptions {
  /** Where the PostgreSQL binaries are. Default `/usr/lib/postgresql/15/bin`. */
  readonly binDir?: string;
  /** Extra `-c name=value` server settings, added after the fast-startup defaults. */
  readonly settings?: Readonly<Record<string, string>>;
}

const DEFAULT_BIN_DIR = "/usr/lib/postgresql/15/bin";
const SYSTEM_USER = "postgres";
const START_ATTEMPTS = 3;

/**
 * Starts a throwaway PostgreSQL 15 cluster for tests: `initdb` in a fresh temporary directory, then `pg_ctl
 * start` on a free port of 127.0.0.1 with trust authentication and its socket in that directory. Durability
 * settings are left at their defaults (`fsync`, `synchronous_commit` and `full_page_writes` on); only memory
 * and connection limits are made small so that it starts fast.
 *
 * PostgreSQL refuses to run as root: when this process is root, the directory is given to the `postgres`
 * system user and the binaries run through `runuser -u postgres --`.
 *
 * @throws Error with the tail of the server log when the server cannot be started.
 */
export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const binDir = options.binDir ?? DEFAULT_BIN_DIR;
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), "modelrouter-pg-"));
  const dataDir = join(dir, "data");
  const logFile = join(dir, "server.log");
  const run = (bin: string, args: readonly string[]): Promise<string> =>
    asRoot
      ? exec("runuser", ["-u", SYSTEM_USER, "--", join(binDir, bin), ...args])
      : exec(join(binDir, bin), args);

  try {
    if (asRoot) {
      const { uid, gid } = await postgresIds();
      await chown(dir, uid, gid);
    }
    await run("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"]);
    const port = await startOnFreePort(run, dataDir, dir, logFile, options.settings ?? {});
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await run("pg_ctl", ["stop", "-D", dataDir, "-m", "fast", "-w", "-t", "60"]);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await run("pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-w"]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startOnFreePort(
  run: (bin: string, args: readonly string[]) => Promise<string>,
  dataDir: string,
  socketDir: string,
  logFile: string,
  settings: Readonly<Record<string, string>>,
): Promise<number> {
  const all: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: socketDir,
    shared_buffers: "16MB",
    max_connections: "60",
    max_wal_size: "64MB",
    ...settings,
  };
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await freePort();
    const serverOptions = [`-p ${port}`, ...Object.entries(all).map(([k, v]) => `-c ${k}=${v}`)].join(" ");
    try {
      await run("pg_ctl", ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", serverOptions]);
      return port;
    } catch (error) {
      // Another process may have taken the port between our probe and the server's bind: try another.
      lastError = new Error(`PostgreSQL did not start on port ${port}: ${describe(error)}\n${await logTail(logFile)}`);
    }
  }
  throw lastError;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile("/etc/passwd", "utf8");
  const line = passwd.split("\n").find((l) => l.startsWith(`${SYSTEM_USER}:`));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(`running as root needs a "${SYSTEM_USER}" system user to run PostgreSQL, and there is none`);
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function exec(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${file} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function logTail(logFile: string): Promise<string> {
  const text = await readFile(logFile, "utf8").catch(() => "");
  return text.split("\n").slice(-20).join("\n");
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
