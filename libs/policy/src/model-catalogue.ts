import { type Model, ModelStatus } from "@modelrouter/contracts";
import type { Labels } from "./label-selector.js";
import { newestFirst } from "./version-order.js";

/**
 * The model versions a decision is made on, indexed for resolution. Build it once per catalogue change
 * ({@link createModelCatalogue}); resolving a target is then a map lookup or one pass over the models.
 */
export interface ModelCatalogue {
  /** The registry revision the catalogue reflects (0 when unknown). */
  readonly revision: bigint;
  /** Every version, ordered by name and then newest first. */
  readonly models: readonly Model[];
  /** Every version of `name`, newest first (empty for an unknown model). */
  versions(name: string): readonly Model[];
  /** One version, if registered. */
  find(name: string, version: string): Model | undefined;
  /** The latest ACTIVE or DEPRECATED version of `name`: the newest `create_time`, ties by version. */
  latest(name: string): Model | undefined;
  /**
   * For every model name in name order, the latest ACTIVE or DEPRECATED version whose labels satisfy
   * `matches` (at most one version per name).
   */
  select(matches: (labels: Labels) => boolean): readonly Model[];
}

/** True for the statuses that version-less targets and selectors may resolve to. */
export function isSelectable(status: ModelStatus): boolean {
  return status === ModelStatus.ACTIVE || status === ModelStatus.DEPRECATED;
}

/**
 * Indexes model versions. A (name, version) given twice keeps the last one, so a list of changes can be
 * applied by appending.
 */
export function createModelCatalogue(models: readonly Model[], revision = 0n): ModelCatalogue {
  const byKey = new Map<string, Model>();
  for (const model of models) byKey.set(`${model.name}\u0000${model.version}`, model);
  const byName = new Map<string, Model[]>();
  for (const model of byKey.values()) {
    const versions = byName.get(model.name);
    if (versions === undefined) byName.set(model.name, [model]);
    else versions.push(model);
  }
  const names = [...byName.keys()].sort();
  for (const versions of byName.values()) versions.sort(newestFirst);
  const latestByName = new Map<string, Model>();
  for (const [name, versions] of byName) {
    const latest = versions.find((model) => isSelectable(model.status));
    if (latest !== undefined) latestByName.set(name, latest);
  }
  const ordered = names.flatMap((name) => byName.get(name) ?? []);
  return {
    revision,
    models: ordered,
    versions: (name) => byName.get(name) ?? [],
    find: (name, version) => byKey.get(`${name}\u0000${version}`),
    latest: (name) => latestByName.get(name),
    select(matches) {
      const selected: Model[] = [];
      for (const name of names) {
        const match = byName.get(name)?.find((model) => isSelectable(model.status) && matches(model.labels ?? {}));
        if (match !== undefined) selected.push(match);
      }
      return selected;
    },
  };
}

/** The catalogue itself, or one indexed from a list of versions. */
export function asCatalogue(catalogue: ModelCatalogue | readonly Model[]): ModelCatalogue {
  return Array.isArray(catalogue) ? createModelCatalogue(catalogue) : (catalogue as ModelCatalogue);
}
