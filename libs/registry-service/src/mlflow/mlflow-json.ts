/**
 * The JSON shapes of MLflow's model registry REST API (`/api/2.0/mlflow/...`) that the sync reads. Every field
 * is optional on the wire: MLflow leaves out empty lists and unset values.
 */

/** A `key`/`value` tag of a registered model or a model version. */
export interface MlflowTag {
  readonly key?: string;
  readonly value?: string;
}

/** An alias of a registered model: a name (`champion`) pointing at one version. */
export interface MlflowAlias {
  readonly alias?: string;
  readonly version?: string;
}

/** A registered model, as `registered-models/search` lists it. */
export interface MlflowRegisteredModel {
  readonly name?: string;
  readonly description?: string;
  readonly tags?: readonly MlflowTag[];
  readonly aliases?: readonly MlflowAlias[];
}

/** A model version, as `model-versions/search` lists it. */
export interface MlflowModelVersion {
  readonly name?: string;
  readonly version?: string;
  /** `None`, `Staging`, `Production` or `Archived` (the deprecated stages). */
  readonly current_stage?: string;
  readonly description?: string;
  readonly source?: string;
  /** `PENDING_REGISTRATION`, `FAILED_REGISTRATION` or `READY`. */
  readonly status?: string;
  readonly tags?: readonly MlflowTag[];
  readonly aliases?: readonly string[];
}

/** A registered model with every version of it. */
export interface MlflowModelListing {
  readonly model: MlflowRegisteredModel;
  readonly versions: readonly MlflowModelVersion[];
}
