import { ChangeType, type Model, ModelStatus, type OnnxBackend, type WatchModelsResponse } from "@modelrouter/contracts";

/** A model version the OIP endpoint serves. */
export interface ServedVersion {
  readonly name: string;
  readonly version: string;
  readonly onnx: OnnxBackend;
}

/** The model versions the OIP endpoint serves: the ACTIVE ONNX versions the executor knows. */
export interface OipModels {
  /**
   * The version `version` of model `name`; with `version` empty, its highest ACTIVE version (numeric
   * versions compared as numbers). Undefined when the model has no such ACTIVE ONNX version.
   */
  find(name: string, version: string): ServedVersion | undefined;
  /** The ACTIVE ONNX versions of model `name`, lowest first; empty when it has none. */
  versions(name: string): string[];
}

const byVersion = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });

/**
 * The served models, kept in step with the registry's model watch stream: a put ACTIVE ONNX version is
 * served, a deleted, retired (or otherwise not ACTIVE) or non-ONNX one is not, and a snapshot replaces what
 * was known before it once complete. Pure: it holds only what the messages said.
 */
export class OipModelCatalogue implements OipModels {
  #served = new Map<string, Map<string, ServedVersion>>();
  #snapshot: Map<string, Map<string, ServedVersion>> | undefined;

  /** A catalogue of fixed models (for a standalone executor and for tests). */
  static of(models: readonly Model[]): OipModelCatalogue {
    const catalogue = new OipModelCatalogue();
    for (const model of models) catalogue.#put(catalogue.#served, model);
    return catalogue;
  }

  /** Applies one message of the registry's `WatchModels` stream. */
  apply(message: WatchModelsResponse): void {
    if (message.reset) this.#snapshot = new Map();
    const target = this.#snapshot ?? this.#served;
    for (const change of message.changes) {
      if (change.model === undefined) continue;
      if (change.type === ChangeType.DELETE) target.get(change.model.name)?.delete(change.model.version);
      else this.#put(target, change.model);
    }
    if (message.snapshotComplete && this.#snapshot !== undefined) {
      this.#served = this.#snapshot;
      this.#snapshot = undefined;
    }
  }

  find(name: string, version: string): ServedVersion | undefined {
    const versions = this.#served.get(name);
    if (versions === undefined) return undefined;
    if (version !== "") return versions.get(version);
    const latest = [...versions.keys()].sort(byVersion).at(-1);
    return latest === undefined ? undefined : versions.get(latest);
  }

  versions(name: string): string[] {
    return [...(this.#served.get(name)?.keys() ?? [])].sort(byVersion);
  }

  #put(target: Map<string, Map<string, ServedVersion>>, model: Model): void {
    const versions = target.get(model.name) ?? new Map<string, ServedVersion>();
    target.set(model.name, versions);
    const onnx = model.backend?.kind.case === "onnx" ? model.backend.kind.value : undefined;
    if (onnx === undefined || model.status !== ModelStatus.ACTIVE) versions.delete(model.version);
    else versions.set(model.version, { name: model.name, version: model.version, onnx });
  }
}
