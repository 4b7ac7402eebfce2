import { describe, expect, it } from "@jest/globals";
import { type MessageInitShape, create } from "@bufbuild/protobuf";
import { ChangeType, type ModelSchema, ModelStatus, type WatchModelsResponse, WatchModelsResponseSchema } from "@modelrouter/contracts";
import { ModelLifecyclePlan } from "./model-lifecycle-plan.js";

type ModelInit = MessageInitShape<typeof ModelSchema>;

const onnxModel = (
  name: string,
  version: string,
  options: { uri?: string; sha256?: string; status?: ModelStatus; labels?: Record<string, string> } = {},
): ModelInit => ({
  name,
  version,
  status: options.status ?? ModelStatus.ACTIVE,
  labels: options.labels ?? {},
  backend: { kind: { case: "onnx", value: { uri: options.uri ?? `${name}/model.onnx`, sha256: options.sha256 ?? "" } } },
});

const put = (model: ModelInit) => ({ type: ChangeType.PUT, model });
const del = (name: string, version: string) => ({ type: ChangeType.DELETE, model: { name, version } });

const message = (
  changes: ReturnType<typeof put | typeof del>[],
  flags: { reset?: boolean; snapshotComplete?: boolean } = {},
): WatchModelsResponse => create(WatchModelsResponseSchema, { changes, revision: 1n, ...flags });

const snapshot = (...models: ModelInit[]): WatchModelsResponse => message(models.map(put), { reset: true, snapshotComplete: true });

/** The actions as "kind name@version (reason)", in order. */
const described = (plan: ModelLifecyclePlan, watched: WatchModelsResponse): string[] =>
  plan.apply(watched).map((a) => `${a.kind} ${a.name}@${a.version}${a.kind === "unload" ? ` (${a.reason})` : ""}`);

describe("ModelLifecyclePlan", () => {
  it("preloads every ACTIVE ONNX version of the first snapshot, with its backend", () => {
    const plan = new ModelLifecyclePlan();
    const actions = plan.apply(snapshot(onnxModel("digits", "1", { uri: "digits/v1.onnx", sha256: "ab".repeat(32) }), onnxModel("text", "2")));
    expect(actions).toEqual([
      { kind: "preload", name: "digits", version: "1", onnx: expect.objectContaining({ uri: "digits/v1.onnx", sha256: "ab".repeat(32) }) },
      { kind: "preload", name: "text", version: "2", onnx: expect.objectContaining({ uri: "text/model.onnx" }) },
    ]);
  });

  it("does not preload a version that is not ACTIVE, nor one without an ONNX backend", () => {
    const plan = new ModelLifecyclePlan();
    expect(
      described(
        plan,
        snapshot(
          onnxModel("staged", "1", { status: ModelStatus.STAGING }),
          onnxModel("old", "1", { status: ModelStatus.DEPRECATED }),
          { name: "remote", version: "1", status: ModelStatus.ACTIVE },
        ),
      ),
    ).toEqual([]);
  });

  it("unloads a deregistered version", () => {
    const plan = new ModelLifecyclePlan();
    plan.apply(snapshot(onnxModel("digits", "1")));
    expect(described(plan, message([del("digits", "1")]))).toEqual(["unload digits@1 (deregistered)"]);
  });

  it("unloads the old sessions of a version put with another file, then preloads the new file", () => {
    const plan = new ModelLifecyclePlan();
    plan.apply(snapshot(onnxModel("digits", "1", { uri: "digits/a.onnx" })));
    const actions = plan.apply(message([put(onnxModel("digits", "1", { uri: "digits/b.onnx" }))]));
    expect(actions.map((a) => a.kind)).toEqual(["unload", "preload"]);
    expect(actions[1]).toMatchObject({ onnx: { uri: "digits/b.onnx" } });
  });

  it("treats a new checksum as a new backend", () => {
    const plan = new ModelLifecyclePlan();
    plan.apply(snapshot(onnxModel("digits", "1", { sha256: "aa".repeat(32) })));
    expect(described(plan, message([put(onnxModel("digits", "1", { sha256: "bb".repeat(32) }))]))).toEqual([
      "unload digits@1 (backend replaced)",
      "preload digits@1",
    ]);
  });

  it("does nothing for a put that changes nothing the session depends on, such as labels", () => {
    const plan = new ModelLifecyclePlan();
    plan.apply(snapshot(onnxModel("digits", "1")));
    expect(described(plan, message([put(onnxModel("digits", "1", { labels: { domain: "digits" } }))]))).toEqual([]);
  });

  it("preloads a version that becomes ACTIVE, and unloads one that is retired", () => {
    const plan = new ModelLifecyclePlan();
    plan.apply(snapshot(onnxModel("digits", "1", { status: ModelStatus.STAGING })));
    expect(described(plan, message([put(onnxModel("digits", "1"))]))).toEqual(["preload digits@1"]);
    expect(described(plan, message([put(onnxModel("digits", "1", { status: ModelStatus.RETIRED }))]))).toEqual([
      "unload digits@1 (retired)",
    ]);
  });

  it("after a new snapshot, unloads the versions it no longer holds and leaves the others alone", () => {
    const plan = new ModelLifecyclePlan();
    plan.apply(snapshot(onnxModel("kept", "1"), onnxModel("gone", "1")));
    expect(described(plan, snapshot(onnxModel("kept", "1"), onnxModel("added", "1")))).toEqual([
      "preload added@1",
      "unload gone@1 (not in the registry's snapshot)",
    ]);
  });

  it("waits for a snapshot sent in several messages to complete before unloading what it lacks", () => {
    const plan = new ModelLifecyclePlan();
    plan.apply(snapshot(onnxModel("a", "1"), onnxModel("b", "1"), onnxModel("c", "1")));
    expect(described(plan, message([put(onnxModel("a", "1"))], { reset: true }))).toEqual([]);
    expect(described(plan, message([put(onnxModel("c", "1"))], { snapshotComplete: true }))).toEqual([
      "unload b@1 (not in the registry's snapshot)",
    ]);
    expect(described(plan, message([del("a", "1")]))).toEqual(["unload a@1 (deregistered)"]);
  });

  it("a version deleted during a snapshot is not unloaded a second time when it completes", () => {
    const plan = new ModelLifecyclePlan();
    plan.apply(snapshot(onnxModel("a", "1")));
    expect(described(plan, message([put(onnxModel("a", "1"))], { reset: true }))).toEqual([]);
    expect(described(plan, message([del("a", "1")], { snapshotComplete: true }))).toEqual(["unload a@1 (deregistered)"]);
  });

  it("connects an ACTIVE OIP version, and unloads it when its endpoints change before connecting again", () => {
    const plan = new ModelLifecyclePlan();
    const oip = (url: string): ModelInit => ({ name: "remote", version: "1", status: ModelStatus.ACTIVE, backend: { kind: { case: "oip", value: { endpoints: [{ url }] } } } });
    expect(described(plan, snapshot(oip("grpc://a:8001")))).toEqual(["connect remote@1"]);
    expect(described(plan, message([put({ ...oip("grpc://a:8001"), labels: { team: "x" } })]))).toEqual([]);
    expect(described(plan, message([put(oip("http://b:8000"))]))).toEqual(["unload remote@1 (backend replaced)", "connect remote@1"]);
  });

  it("checks an ACTIVE chat version's server, not again for an edit of its prompt, and again when its model name changes", () => {
    const plan = new ModelLifecyclePlan();
    const chat = (modelName: string, systemPrompt = ""): ModelInit => ({
      name: "assistant",
      version: "1",
      status: ModelStatus.ACTIVE,
      backend: { kind: { case: "openai", value: { endpoints: [{ url: "http://vllm:8000/v1" }], modelName, systemPrompt } } },
    });
    expect(described(plan, snapshot(chat("qwen")))).toEqual(["check-chat assistant@1"]);
    expect(described(plan, message([put(chat("qwen", "Be brief."))]))).toEqual([]);
    expect(described(plan, message([put(chat("llama"))]))).toEqual(["unload assistant@1 (backend replaced)", "check-chat assistant@1"]);
    expect(described(plan, message([del("assistant", "1")]))).toEqual(["unload assistant@1 (deregistered)"]);
  });
});
