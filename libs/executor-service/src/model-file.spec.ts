import { execFileSync } from "node:child_process";
import { appendFile, mkdir, open, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { type TempModelRoot, createTempModelRoot } from "./executor.test-support.js";
import { type ModelFileHandle, type ModelFileSystem, nodeModelFileSystem, readModelFile } from "./model-file.js";

/**
 * Node's file system, counting the bytes read and the paths looked at: what the executor reads is asserted
 * in bytes, not in memory use.
 */
function countingFileSystem(onRead?: (path: string) => Promise<void>): ModelFileSystem & { bytesRead: number; touched: string[] } {
  const fs = {
    bytesRead: 0,
    touched: [] as string[],
    realpath: (path: string) => (fs.touched.push(path), nodeModelFileSystem.realpath(path)),
    lstat: (path: string) => (fs.touched.push(path), nodeModelFileSystem.lstat(path)),
    readlink: (path: string) => (fs.touched.push(path), nodeModelFileSystem.readlink(path)),
    async open(path: string, flags: number): Promise<ModelFileHandle> {
      fs.touched.push(path);
      const handle = await open(path, flags);
      return {
        stat: () => handle.stat(),
        close: () => handle.close(),
        async read(buffer, offset, length, position) {
          await onRead?.(path);
          const result = await handle.read(buffer, offset, length, position);
          fs.bytesRead += result.bytesRead;
          return result;
        },
      };
    },
  };
  return fs;
}

describe("readModelFile", () => {
  let root: TempModelRoot;
  const limits = () => ({ root: root.dir, maxBytes: 1024 });

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("small.onnx", new Uint8Array(100).fill(7));
    await mkdir(join(root.dir, "dir.onnx"));
    await symlink("/dev/zero", join(root.dir, "zero.onnx"));
    await writeFile(join(root.dir, "sparse.onnx"), "");
    await truncate(join(root.dir, "sparse.onnx"), 10 * 1024 ** 3);
    execFileSync("mkfifo", [join(root.dir, "fifo.onnx")]);
  });

  afterAll(async () => {
    await root?.remove();
  });

  let fs: ReturnType<typeof countingFileSystem>;
  beforeEach(() => {
    fs = countingFileSystem();
  });

  it("reads a regular file under the root, exactly its bytes", async () => {
    const read = await readModelFile(join(root.dir, "small.onnx"), limits(), fs);
    expect(read.ok && read.bytes.length).toBe(100);
    expect(fs.bytesRead).toBe(100);
  });

  it("reads nothing of /dev/zero, even through a link under the root", async () => {
    for (const path of ["/dev/zero", join(root.dir, "zero.onnx")]) {
      const read = await readModelFile(path, limits(), fs);
      expect(read.ok).toBe(false);
      expect(!read.ok && read.problem).toContain("is outside the executor's model root");
    }
    expect(fs.bytesRead).toBe(0);
    expect(fs.touched.filter((p) => p.startsWith("/dev"))).toEqual([]);
  });

  it("never looks outside the root: /etc/passwd is refused without a system call on it", async () => {
    const read = await readModelFile("/etc/passwd", limits(), fs);
    expect(!read.ok && read.problem).toContain("is outside the executor's model root");
    expect(fs.touched).toEqual([]);
  });

  it("reads nothing of a 10 GiB file over the size limit", async () => {
    const read = await readModelFile(join(root.dir, "sparse.onnx"), limits(), fs);
    expect(!read.ok && read.problem).toContain(`names a file of ${10 * 1024 ** 3} bytes, more than the executor's limit of 1024`);
    expect(fs.bytesRead).toBe(0);
  });

  it("reads nothing of a directory or a FIFO, and does not wait for a FIFO's writer", async () => {
    for (const name of ["dir.onnx", "fifo.onnx"]) {
      const read = await readModelFile(join(root.dir, name), limits(), fs);
      expect(!read.ok && read.problem).toContain("names a directory or a special file, not a regular file");
    }
    expect(fs.bytesRead).toBe(0);
  });

  it("reads at most its size + 1 bytes of a file that grows while it is read, and refuses it", async () => {
    const path = join(root.dir, "growing.onnx");
    await writeFile(path, new Uint8Array(100));
    const growing = countingFileSystem(async () => {
      await appendFile(path, new Uint8Array(4096));
    });
    const read = await readModelFile(path, limits(), growing);
    expect(!read.ok && read.problem).toContain("names a file that changed while the executor read it");
    expect(growing.bytesRead).toBe(101);
  });
});
