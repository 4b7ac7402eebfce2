/**
 * MLflow's model registry as a source of models: a client of its REST API, the mapping of a model version to a
 * modelrouter model with an OIP backend, the sync plan and its application through a {@link ModelCatalogue}.
 *
 * @packageDocumentation
 */
export { createMlflowClient, MlflowError, type MlflowClient, type MlflowClientOptions } from "./mlflow/mlflow-client.js";
export type { MlflowAlias, MlflowModelListing, MlflowModelVersion, MlflowRegisteredModel, MlflowTag } from "./mlflow/mlflow-json.js";
export {
  ALIAS_LABEL_PREFIX,
  MAX_TAG_LABELS,
  STAGE_LABEL,
  SYNCED_LABEL,
  SYNC_TAGS,
  mapVersion,
  type MappedVersion,
  type MappingOptions,
} from "./mlflow/map-version.js";
export { modelrouterNameOf } from "./mlflow/model-name.js";
export { planSync, type SyncPlan, type SyncStep, type UpdatableField } from "./mlflow/sync-plan.js";
export {
  formatSyncReport,
  syncFromMlflow,
  type ModelCatalogue,
  type SyncOptions,
  type SyncReport,
  type SyncReportLine,
} from "./mlflow/sync-mlflow.js";
export { registryCatalogue } from "./mlflow/registry-catalogue.js";
export { readMlflowSyncConfig, startMlflowSyncLoop, type MlflowSyncConfig, type MlflowSyncLoop } from "./mlflow/sync-loop.js";
