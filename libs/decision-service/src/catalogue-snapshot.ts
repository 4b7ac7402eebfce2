import type { CompiledPolicy, ModelCatalogue } from "@modelrouter/policy";

/**
 * What decisions are made on: the registry's models and compiled policies at one point in time. Immutable;
 * a new snapshot replaces it on every change, so a decision reads one consistent state without locking.
 */
export interface CatalogueSnapshot {
  /** The registry revision it reflects: the higher of the last model and policy revisions seen. */
  readonly revision: bigint;
  /** The model versions, indexed for resolution. */
  readonly catalogue: ModelCatalogue;
  /** The policies that compiled, in evaluation order (priority descending, then name). */
  readonly policies: readonly CompiledPolicy[];
}

/** Where the decision service gets its snapshot: undefined until the catalogue has loaded. */
export interface CatalogueSource {
  snapshot(): CatalogueSnapshot | undefined;
}
