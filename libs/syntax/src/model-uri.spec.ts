import { describe, expect, it } from "@jest/globals";
import { MAX_MODEL_URI_LENGTH, modelUriProblem } from "./index.js";

describe("model file locations (backend.onnx.uri)", () => {
  it.each([
    "model.onnx",
    "digits-general/model.onnx",
    "./digits-lite/model.onnx",
    "a/b/c/v1.2_rc-3.onnx",
    "with space/model name.onnx",
    "modèle/ü.onnx",
    "dots.../..model.onnx",
    "a/b:c.onnx",
  ])("accepts the relative path %j", (uri) => {
    expect(modelUriProblem(uri)).toBeUndefined();
  });

  it.each([
    ["", /^is required: give the path of the \.onnx file relative to the executor's model root \(MODELROUTER_MODEL_ROOT\)/],
    ["   ", /^is required/],
    ["/srv/models/model.onnx", /is an absolute path/],
    ["/dev/zero", /is an absolute path/],
    ["file:///etc/shadow", /is a file: URL/],
    ["FILE:model.onnx", /is a file: URL/],
    ["https://models.example.com/model.onnx", /has the "https:" scheme, but the executor reads local files only/],
    ["s3://bucket/model.onnx", /has the "s3:" scheme/],
    ["C:/models/model.onnx", /has the "C:" scheme/],
    ["../outside.onnx", /has a "\.\." segment/],
    ["sub/../../outside.onnx", /has a "\.\." segment/],
    ["sub/..", /has a "\.\." segment/],
    ["models\\..\\x.onnx", /contains a backslash/],
    ["models\\x.onnx", /contains a backslash/],
    ["model.onnx\u0000.txt", /contains a NUL character/],
    ["model\n.onnx", /contains a control character/],
    ["model\u007f.onnx", /contains a control character/],
    ["model\u0085.onnx", /contains a control character/],
    [" model.onnx", /starts or ends with white space/],
    ["model.onnx ", /starts or ends with white space/],
    ["digits-general/", /names a folder, not a file/],
    [".", /names a folder, not a file/],
    ["digits-general/.", /names a folder, not a file/],
  ])("refuses %j, saying that files are resolved under MODELROUTER_MODEL_ROOT", (uri, expected) => {
    const problem = modelUriProblem(uri);
    expect(problem).toMatch(expected);
    expect(problem).toContain("MODELROUTER_MODEL_ROOT");
  });

  it(`accepts at most ${MAX_MODEL_URI_LENGTH} characters`, () => {
    expect(modelUriProblem(`${"a/".repeat((MAX_MODEL_URI_LENGTH - 6) / 2)}m.onnx`)).toBeUndefined();
    expect(modelUriProblem(`${"a".repeat(MAX_MODEL_URI_LENGTH - 4)}.onnx`)).toMatch(
      /^is 2049 characters long: keep it to at most 2048, and give the path .*\(MODELROUTER_MODEL_ROOT\)/,
    );
  });

  it("shows a control character escaped, and clips a long location, in its message", () => {
    expect(modelUriProblem("model\u0000.onnx")).toContain('"model\\u0000.onnx"');
    expect(modelUriProblem(`/${"x".repeat(2000)}`)!.length).toBeLessThan(400);
    expect(modelUriProblem("x".repeat(100_000))!.length).toBeLessThan(400);
  });
});
