import { constants, type Stats } from "node:fs";
import { lstat, open, readlink, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { OUTSIDE_MODEL_ROOT, isInside } from "./model-uri.js";

/** The default most bytes a model file may have: 256 MiB, far above the zoo's models (10–210 KB). */
export const DEFAULT_MAX_MODEL_BYTES = 256 * 1024 * 1024;

/** Where model files may be read from, and how large they may be. */
export interface ModelFileLimits {
  /** The model root: every model file must resolve under it, symbolic links followed. */
  readonly root: string;
  /** The most bytes a model file may have. */
  readonly maxBytes: number;
}

/** An open model file: the part of Node's `FileHandle` that {@link readModelFile} uses. */
export interface ModelFileHandle {
  stat(): Promise<Stats>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/** The file-system calls {@link readModelFile} makes; Node's by default. */
export interface ModelFileSystem {
  realpath(path: string): Promise<string>;
  lstat(path: string): Promise<Stats>;
  readlink(path: string): Promise<string>;
  open(path: string, flags: number): Promise<ModelFileHandle>;
}

/** Node's file system. */
export const nodeModelFileSystem: ModelFileSystem = { realpath, lstat, readlink, open };

/**
 * The bytes of a model file, or what is wrong with it, phrased to follow "its backend.onnx.uri …"; the cause,
 * when there is one, is for logs.
 */
export type ModelFileRead = { readonly ok: true; readonly bytes: Uint8Array; readonly realPath: string } | ModelFileRefusal;

/** Why a model file is not read (see {@link ModelFileRead}). */
export interface ModelFileRefusal {
  readonly ok: false;
  readonly problem: string;
  readonly cause?: unknown;
}

const MAX_LINKS = 40;
const openFlags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

const missing = (cause?: unknown): ModelFileRefusal => ({
  ok: false,
  problem: "names no file under the executor's model root: copy the model file there, or register the path it has",
  ...(cause === undefined ? {} : { cause }),
});
const unreadable = (cause: unknown): ModelFileRefusal => ({
  ok: false,
  problem: "names a file the executor cannot read: make it readable by the executor's user",
  cause,
});
const outside: ModelFileRefusal = { ok: false, problem: OUTSIDE_MODEL_ROOT };
const notRegular: ModelFileRefusal = {
  ok: false,
  problem: "names a directory or a special file, not a regular file: register the path of the .onnx file itself",
};

/**
 * Reads the model file at `path` (absolute, under `limits.root`, as `resolveModelUri` gives it) so that no
 * model can make the executor read what the model root does not hold, or more than it can afford:
 *
 * - the path is walked from the model root's real path one component at a time, following symbolic links
 *   itself: a link that leads out of the root is refused with the same words as any path outside it, and
 *   nothing outside the root is ever looked at (so the answer never tells whether a path there exists);
 * - the file is opened without following a final link and without blocking (a FIFO), then checked on the
 *   open descriptor: only a regular file of at most `limits.maxBytes` bytes is read;
 * - at most size + 1 bytes are read, so a file that grows or shrinks meanwhile is refused, not read without end.
 */
export async function readModelFile(
  path: string,
  limits: ModelFileLimits,
  fs: ModelFileSystem = nodeModelFileSystem,
): Promise<ModelFileRead> {
  const root = resolve(limits.root);
  if (!isInside(root, resolve(path))) return outside;
  let realRoot: string;
  try {
    realRoot = await fs.realpath(root);
  } catch (error) {
    return missing(error);
  }
  const found = await walk(relative(root, resolve(path)).split(sep), { root, realRoot }, fs);
  if (!found.ok) return found;
  return readRegularFile(found.path, limits.maxBytes, fs);
}

type Walked = { readonly ok: true; readonly path: string } | ModelFileRefusal;

async function walk(parts: string[], roots: { root: string; realRoot: string }, fs: ModelFileSystem): Promise<Walked> {
  const { root, realRoot } = roots;
  const pending = [...parts];
  let current = realRoot;
  let links = 0;
  for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (current === realRoot) return outside;
      current = dirname(current);
      continue;
    }
    const next = join(current, part);
    let stats: Stats;
    try {
      stats = await fs.lstat(next);
    } catch (error) {
      return isMissing(error) ? missing(error) : unreadable(error);
    }
    if (stats.isSymbolicLink()) {
      if (++links > MAX_LINKS) return unreadable(new Error(`more than ${MAX_LINKS} symbolic links under ${next}`));
      let target: string;
      try {
        target = await fs.readlink(next);
      } catch (error) {
        return unreadable(error);
      }
      if (isAbsolute(target)) {
        const base = [realRoot, root].find((r) => resolve(target) === r || isInside(r, resolve(target)));
        if (base === undefined) return outside;
        current = realRoot;
        pending.unshift(...relative(base, resolve(target)).split(sep));
      } else {
        pending.unshift(...target.split(sep === "\\" ? /[\\/]/ : "/"));
      }
      continue;
    }
    if (pending.some((p) => p !== "" && p !== ".") && !stats.isDirectory()) return missing();
    current = next;
  }
  return current === realRoot ? notRegular : { ok: true, path: current };
}

async function readRegularFile(path: string, maxBytes: number, fs: ModelFileSystem): Promise<ModelFileRead> {
  let handle: ModelFileHandle;
  try {
    handle = await fs.open(path, openFlags);
  } catch (error) {
    return isMissing(error) ? missing(error) : unreadable(error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return notRegular;
    if (stats.size > maxBytes) {
      return {
        ok: false,
        problem:
          `names a file of ${stats.size} bytes, more than the executor's limit of ${maxBytes} ` +
          "(MODELROUTER_MODEL_MAX_BYTES): register a smaller model, or raise the limit",
      };
    }
    const buffer = new Uint8Array(stats.size + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled !== stats.size) {
      return {
        ok: false,
        problem: "names a file that changed while the executor read it: register a file that is no longer being written",
      };
    }
    return { ok: true, bytes: buffer.subarray(0, filled), realPath: path };
  } catch (error) {
    return unreadable(error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "ENAMETOOLONG";
}
