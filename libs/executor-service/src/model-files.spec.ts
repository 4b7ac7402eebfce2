import { createHash } from "node:crypto";
import { mkdir, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@modelrouter/rpc-kit";
import {
  type TempModelRoot,
  type TestExecutor,
  createTempModelRoot,
  executeRequest,
  floatTensorPayload,
  rejectionOf,
  startTestExecutor,
  tensorOf,
} from "./executor.test-support.js";
import { DEFAULT_MAX_MODEL_BYTES } from "./model-file.js";
import { identityModel } from "./onnx-model.test-support.js";

const outsideTheRoot =
  "is outside the executor's model root: register the path of the .onnx file relative to the executor's model root " +
  '(MODELROUTER_MODEL_ROOT), for example "digits-general/model.onnx"';

describe("model files", () => {
  let root: TempModelRoot;
  let executor: TestExecutor;
  const model = identityModel("float32", [1, 2]);
  const payload = floatTensorPayload([1, 2], [3, 4]);

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("model.onnx", model);
    await root.write("corrupt.onnx", new TextEncoder().encode("this is not a model"));
    await mkdir(join(root.dir, "sub"));
    await mkdir(join(root.dir, "folder.onnx"));
    await symlink("model.onnx", join(root.dir, "current.onnx"));
    await symlink("../model.onnx", join(root.dir, "sub", "up-and-back.onnx"));
    await symlink("/etc/passwd", join(root.dir, "passwd.onnx"));
    await symlink("/etc/no-such-file-here", join(root.dir, "nothing.onnx"));
    await symlink("/dev/zero", join(root.dir, "zero.onnx"));
    await symlink("../..", join(root.dir, "sub", "grandparent"));
    await symlink(join(root.dir, "model.onnx"), join(root.dir, "absolute-inside.onnx"));
    await writeFile(join(root.dir, "huge.onnx"), "");
    await truncate(join(root.dir, "huge.onnx"), DEFAULT_MAX_MODEL_BYTES + 1);
    executor = await startTestExecutor(root.dir, { sessionCacheSize: 1 });
  });

  afterAll(async () => {
    await executor?.close();
    await root?.remove();
  });

  const execute = (onnx: Parameters<typeof executeRequest>[0], name = "test-model") =>
    executor.client.execute(executeRequest(onnx, payload, name));

  it("loads a model by a uri relative to the model root", async () => {
    expect(tensorOf(await execute({ uri: "model.onnx" })).values).toEqual([3, 4]);
  });

  it("loads a model by an absolute path or a file:// URL under the model root", async () => {
    const path = join(root.dir, "model.onnx");
    expect(tensorOf(await execute({ uri: path })).values).toEqual([3, 4]);
    expect(tensorOf(await execute({ uri: pathToFileURL(path).href })).values).toEqual([3, 4]);
  });

  it("follows symbolic links that stay under the model root", async () => {
    expect(tensorOf(await execute({ uri: "current.onnx" }, "linked")).values).toEqual([3, 4]);
    expect(tensorOf(await execute({ uri: "sub/up-and-back.onnx" }, "linked-up")).values).toEqual([3, 4]);
    expect(tensorOf(await execute({ uri: "absolute-inside.onnx" }, "linked-absolute")).values).toEqual([3, 4]);
  });

  describe("refuses a file outside the model root as MODEL_UNAVAILABLE, naming backend.onnx.uri and the fix", () => {
    it.each([
      ["/dev/zero", "model x@1 is unavailable: its backend.onnx.uri "],
      ["/etc/passwd", "model x@1 is unavailable: its backend.onnx.uri "],
      ["file:///etc/shadow", "model x@1 is unavailable: its backend.onnx.uri "],
      ["/etc/no-such-file-here", "model x@1 is unavailable: its backend.onnx.uri "],
      ["../outside.onnx", 'model x@1 is unavailable: its backend.onnx.uri "../outside.onnx" '],
      ["sub/../../outside.onnx", 'model x@1 is unavailable: its backend.onnx.uri "sub/../../outside.onnx" '],
      ["passwd.onnx", 'model x@1 is unavailable: its backend.onnx.uri "passwd.onnx" '],
      ["nothing.onnx", 'model x@1 is unavailable: its backend.onnx.uri "nothing.onnx" '],
      ["zero.onnx", 'model x@1 is unavailable: its backend.onnx.uri "zero.onnx" '],
      ["sub/grandparent/etc/passwd", 'model x@1 is unavailable: its backend.onnx.uri "sub/grandparent/etc/passwd" '],
    ])("%s", async (uri, start) => {
      const error = await rejectionOf(execute({ uri }, "x"));
      expect(error["code"]).toBe(Code.UNAVAILABLE);
      expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
      expect(error.message).toBe(start + outsideTheRoot);
      expect(error["metadata"]).toEqual({ model: "x", version: "1", uri, field: "backend.onnx.uri" });
    });

    it("with the same words whether or not something is there, so a caller learns nothing of the disk", async () => {
      const messages = await Promise.all(
        ["/etc/passwd", "/etc/no-such-file-here", "/dev/zero", "file:///etc/shadow", "file:///no/such/file"].map(
          async (uri) => (await rejectionOf(execute({ uri }, "x"))).message,
        ),
      );
      expect(new Set(messages).size).toBe(1);
      const linked = await Promise.all(
        ["passwd.onnx", "nothing.onnx"].map(async (uri) => (await rejectionOf(execute({ uri }, "x"))).message.replace(uri, "…")),
      );
      expect(linked[0]).toBe(linked[1]);
    });
  });

  it("refuses a directory: only regular files are models", async () => {
    const error = await rejectionOf(execute({ uri: "folder.onnx" }));
    expect(error["code"]).toBe(Code.UNAVAILABLE);
    expect(error.message).toBe(
      'model test-model@1 is unavailable: its backend.onnx.uri "folder.onnx" names a directory or a special file, not a ' +
        "regular file: register the path of the .onnx file itself",
    );
  });

  it("refuses a file over the size limit without reading it", async () => {
    const error = await rejectionOf(execute({ uri: "huge.onnx" }));
    expect(error["code"]).toBe(Code.UNAVAILABLE);
    expect(error.message).toBe(
      `model test-model@1 is unavailable: its backend.onnx.uri "huge.onnx" names a file of ${DEFAULT_MAX_MODEL_BYTES + 1} bytes, ` +
        `more than the executor's limit of ${DEFAULT_MAX_MODEL_BYTES} (MODELROUTER_MODEL_MAX_BYTES): register a smaller model, or raise the limit`,
    );
  });

  it("refuses a uri of another scheme, none at all, the root itself or a NUL, naming backend.onnx.uri", async () => {
    for (const [uri, problem] of [
      ["https://models.example.com/model.onnx", 'has the "https:" scheme, but the executor reads local files only'],
      ["s3://bucket/model.onnx", 'has the "s3:" scheme'],
      ["", "is empty: register the path of the .onnx file"],
      [".", '"." names the model root itself, not a file'],
      ["model.onnx\u0000.txt", '"model.onnx\\u0000.txt" contains a NUL character'],
    ] as const) {
      const error = await rejectionOf(execute({ uri }));
      expect(error["code"]).toBe(Code.UNAVAILABLE);
      expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
      expect(error.message).toContain(`backend.onnx.uri ${problem}`);
      expect(error["metadata"]).toMatchObject({ field: "backend.onnx.uri" });
    }
  });

  it("reports a missing file as MODEL_UNAVAILABLE, without the server's paths, and logs the cause", async () => {
    const error = await rejectionOf(execute({ uri: "missing.onnx" }, "ghost"));
    expect(error["code"]).toBe(Code.UNAVAILABLE);
    expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
    expect(error.message).toBe(
      'model ghost@1 is unavailable: its backend.onnx.uri "missing.onnx" names no file under the executor\'s model root: ' +
        "copy the model file there, or register the path it has",
    );
    expect(error["metadata"]).toEqual({ model: "ghost", version: "1", uri: "missing.onnx", field: "backend.onnx.uri" });
    const logged = executor.logs.find((line) => line["model"] === "ghost");
    expect(logged).toMatchObject({ level: "warn", reason: "MODEL_UNAVAILABLE", path: join(root.dir, "missing.onnx") });
    expect(JSON.stringify(logged?.["cause"])).toContain("ENOENT");
  });

  it("does not show an absolute uri in the message", async () => {
    const path = join(root.dir, "absent.onnx");
    const error = await rejectionOf(execute({ uri: path }));
    expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
    expect(error.message).toBe(
      "model test-model@1 is unavailable: its backend.onnx.uri names no file under the executor's model root: " +
        "copy the model file there, or register the path it has",
    );
    expect(error.message).not.toContain(root.dir);
  });

  it("reports a file that is not an ONNX model as MODEL_UNAVAILABLE", async () => {
    const error = await rejectionOf(execute({ uri: "corrupt.onnx" }));
    expect(error["code"]).toBe(Code.UNAVAILABLE);
    expect(error.message).toBe(
      'model test-model@1 is unavailable: its file is not an ONNX model that ONNX Runtime can load (uri "corrupt.onnx")',
    );
  });

  it("checks the file's sha256 when one is registered", async () => {
    const sha256 = createHash("sha256").update(model).digest("hex");
    expect(tensorOf(await execute({ uri: "model.onnx", sha256 }, "checked")).values).toEqual([3, 4]);
    const error = await rejectionOf(execute({ uri: "model.onnx", sha256: "0".repeat(64) }, "tampered"));
    expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
    expect(error.message).toContain("its file does not match the registered sha256");
  });

  it("loads a file that appears after a failed attempt", async () => {
    expect((await rejectionOf(execute({ uri: "late.onnx" }, "late")))["reason"]).toBe("MODEL_UNAVAILABLE");
    await root.write("late.onnx", model);
    expect(tensorOf(await execute({ uri: "late.onnx" }, "late")).values).toEqual([3, 4]);
  });

  it("keeps a loaded model and reloads it only after a newer one pushed it out of the cache", async () => {
    await root.write("mutable.onnx", model);
    expect(tensorOf(await execute({ uri: "mutable.onnx" }, "mutable")).values).toEqual([3, 4]);
    await root.write("mutable.onnx", identityModel("float32", [1, 3]));
    expect(tensorOf(await execute({ uri: "mutable.onnx" }, "mutable")).values).toEqual([3, 4]);
    await execute({ uri: "model.onnx" }, "other");
    const error = await rejectionOf(execute({ uri: "mutable.onnx" }, "mutable"));
    expect(error["reason"]).toBe("PAYLOAD_UNSUPPORTED");
    expect(error.message).toContain("takes float32 [1, 3]");
  });

  it("names the model's inputs and outputs when the backend names one it does not have", async () => {
    const input = await rejectionOf(execute({ uri: "model.onnx", inputName: "pixels" }));
    expect(input["reason"]).toBe("MODEL_UNAVAILABLE");
    expect(input.message).toContain('it has no input named "pixels" (its inputs: "x")');
    const output = await rejectionOf(execute({ uri: "model.onnx", outputName: "probabilities" }));
    expect(output.message).toContain('it has no output named "probabilities" (its outputs: "y")');
  });
});

describe("the model file size limit", () => {
  let root: TempModelRoot;
  let executor: TestExecutor;
  const model = identityModel("float32", [1, 2]);

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("model.onnx", model);
    executor = await startTestExecutor(root.dir, { maxModelBytes: model.length - 1 });
  });

  afterAll(async () => {
    await executor?.close();
    await root?.remove();
  });

  it("is the pool's maxModelBytes", async () => {
    const error = await rejectionOf(executor.client.execute(executeRequest({ uri: "model.onnx" }, floatTensorPayload([1, 2], [3, 4]))));
    expect(error.message).toContain(`names a file of ${model.length} bytes, more than the executor's limit of ${model.length - 1}`);
  });
});
