import { ChangeType, type Model, ModelStatus, type OipBackend, type OnnxBackend, type OpenAiBackend, type WatchModelsResponse } from "@modelrouter/contracts";

/** What the executor does about one model version after a registry change. */
export type LifecycleAction =
  | {
      /** Load the version's session ahead of its first task. */
      readonly kind: "preload";
      readonly name: string;
      readonly version: string;
      readonly onnx: OnnxBackend;
    }
  | {
      /** Connect to a remote (OIP) version's servers and check its metadata ahead of its first task. */
      readonly kind: "connect";
      readonly name: string;
      readonly version: string;
      readonly oip: OipBackend;
    }
  | {
      /** Check that a chat (OpenAI-compatible) version's server offers its model, ahead of its first request. */
      readonly kind: "check-chat";
      readonly name: string;
      readonly version: string;
      readonly openai: OpenAiBackend;
    }
  | {
      /** Drop every session (or remote connection) of the version. */
      readonly kind: "unload";
      readonly name: string;
      readonly version: string;
      /** Why, for logs: "deregistered", "backend replaced", "retired" or "not in the registry's snapshot". */
      readonly reason: string;
    };

function refOf(model: Model): string {
  return `${model.name}\u0000${model.version}`;
}

/** The identity of a version's session: a different file (or a different backend kind) needs a new one. */
function sessionIdentity(model: Model): string {
  const backend = model.backend?.kind;
  if (backend?.case === "oip") return `oip\u0000${JSON.stringify(backend.value.endpoints.map((e) => [e.url, e.credential]))}\u0000${backend.value.modelName}\u0000${backend.value.modelVersion}`;
  if (backend?.case === "openai") return `openai\u0000${JSON.stringify(backend.value.endpoints.map((e) => [e.url, e.credential]))}\u0000${backend.value.modelName}`;
  if (backend?.case !== "onnx") return `${backend?.case ?? "none"}`;
  return `onnx\u0000${backend.value.uri}\u0000${backend.value.sha256}`;
}

function onnxOf(model: Model): OnnxBackend | undefined {
  return model.backend?.kind.case === "onnx" ? model.backend.kind.value : undefined;
}

/**
 * Turns the registry's model watch stream into what the executor does with its sessions: a deleted version
 * is unloaded; a version put with a new backend (another file or checksum) has its old sessions unloaded; a
 * retired one is unloaded; an ACTIVE ONNX version is preloaded (an ACTIVE OIP version connected, an ACTIVE chat
 * version checked) when it is new,
 * became ACTIVE or got a new backend (a put that changes nothing the session depends on, such as labels, does nothing, so that a model
 * unloaded for idleness is not loaded again by an unrelated edit). A snapshot (from the message with `reset`
 * to the one with `snapshot_complete`) is compared with what was known before it: the versions it no longer
 * holds are unloaded when it completes. Pure: it only remembers the versions it has seen.
 */
export class ModelLifecyclePlan {
  readonly #known = new Map<string, Model>();
  /** The versions the snapshot in progress holds so far; undefined outside a snapshot. */
  #snapshot: Set<string> | undefined;

  /** The actions one watch message calls for, in order. */
  apply(message: WatchModelsResponse): LifecycleAction[] {
    const actions: LifecycleAction[] = [];
    if (message.reset) this.#snapshot = new Set();
    for (const change of message.changes) {
      const model = change.model;
      if (model === undefined) continue;
      if (change.type === ChangeType.DELETE) this.#delete(model, actions);
      else this.#put(model, actions);
    }
    if (message.snapshotComplete && this.#snapshot !== undefined) {
      for (const [ref, model] of this.#known) {
        if (this.#snapshot.has(ref)) continue;
        this.#known.delete(ref);
        actions.push({ kind: "unload", name: model.name, version: model.version, reason: "not in the registry's snapshot" });
      }
      this.#snapshot = undefined;
    }
    return actions;
  }

  #delete(model: Model, actions: LifecycleAction[]): void {
    const ref = refOf(model);
    this.#known.delete(ref);
    this.#snapshot?.delete(ref);
    actions.push({ kind: "unload", name: model.name, version: model.version, reason: "deregistered" });
  }

  #put(model: Model, actions: LifecycleAction[]): void {
    const ref = refOf(model);
    const previous = this.#known.get(ref);
    this.#known.set(ref, model);
    this.#snapshot?.add(ref);
    const replaced = previous !== undefined && sessionIdentity(previous) !== sessionIdentity(model);
    if (replaced) actions.push({ kind: "unload", name: model.name, version: model.version, reason: "backend replaced" });
    if (model.status === ModelStatus.RETIRED) {
      if (!replaced) actions.push({ kind: "unload", name: model.name, version: model.version, reason: "retired" });
      return;
    }
    const onnx = onnxOf(model);
    const becameActive = previous === undefined || previous.status !== ModelStatus.ACTIVE || replaced;
    if (onnx !== undefined && model.status === ModelStatus.ACTIVE && becameActive) {
      actions.push({ kind: "preload", name: model.name, version: model.version, onnx });
    }
    const oip = model.backend?.kind.case === "oip" ? model.backend.kind.value : undefined;
    if (oip !== undefined && model.status === ModelStatus.ACTIVE && becameActive) {
      actions.push({ kind: "connect", name: model.name, version: model.version, oip });
    }
    const openai = model.backend?.kind.case === "openai" ? model.backend.kind.value : undefined;
    if (openai !== undefined && model.status === ModelStatus.ACTIVE && becameActive) {
      actions.push({ kind: "check-chat", name: model.name, version: model.version, openai });
    }
  }
}
