import { create } from "@bufbuild/protobuf";
import {
  BackendSchema,
  EndpointSchema,
  Modality,
  ModelSchema,
  ModelStatus,
  OipBackendSchema,
  OpenAiBackendSchema,
  type Backend,
  type Endpoint,
  type Model,
} from "@modelrouter/contracts";
import { labelKeyProblem, labelValueProblem, versionProblem } from "@modelrouter/syntax";
import type { MlflowModelVersion, MlflowRegisteredModel, MlflowTag } from "./mlflow-json.js";
import { modelrouterNameOf } from "./model-name.js";

/** The label every synced version carries, so that the sync knows what it manages (`--prune` only touches these). */
export const SYNCED_LABEL = { key: "synced-from", value: "mlflow" } as const;
/** The label prefix of an alias: a version with alias `champion` carries `mlflow-alias/champion: "true"`. */
export const ALIAS_LABEL_PREFIX = "mlflow-alias/";
/** The label with a version's (deprecated) MLflow stage, lower-case: `production`, `staging`, `archived`. */
export const STAGE_LABEL = "mlflow-stage";
/** At most this many labels come from MLflow tags (the rest are reported and dropped). */
export const MAX_TAG_LABELS = 32;

/** The tags the sync reads as settings rather than labels. */
export const SYNC_TAGS = {
  endpoint: "modelrouter.endpoint",
  credential: "modelrouter.credential",
  modelName: "modelrouter.model_name",
  modelVersion: "modelrouter.model_version",
  modality: "modelrouter.modality",
  task: "modelrouter.task",
  like: "modelrouter.like",
} as const;

/** How MLflow versions become modelrouter models. */
export interface MappingOptions {
  /**
   * The endpoint of a version without a `modelrouter.endpoint` tag, with `{name}` (the MLflow name) and
   * `{version}` replaced, for example `grpc://triton.models:8001`.
   */
  readonly endpointTemplate?: string;
  /**
   * A registered modelrouter model whose task, modality, description and backend pre/post-processing and tensor
   * names every synced version copies (`--like digits-general`).
   */
  readonly like?: Model;
  /** The registered models that `modelrouter.like` tags name, by name: a version's tag wins over {@link like}. */
  readonly likeModels?: ReadonlyMap<string, Model>;
}

/** A mapped version, or why it was skipped, with notes on what was dropped. */
export interface MappedVersion {
  /** `name@version` in MLflow's terms. */
  readonly source: string;
  readonly model?: Model;
  readonly skipped?: string;
  readonly notes: readonly string[];
}

/**
 * Maps one MLflow model version to a modelrouter model version (pure): the name normalised
 * ({@link modelrouterNameOf}), the version number as version, a backend at the version's endpoint (tag
 * `modelrouter.endpoint`, else the template) with the task, modality and pre/post-processing of the model its
 * `modelrouter.like` tag names (else `options.like`; the tags `modelrouter.task` and `modelrouter.modality` win):
 * OIP, or OpenAI-compatible with the generation settings of a like model whose backend is `openai` ({@link
 * backendOf}); labels from the model's and then the version's tags (valid ones,
 * at most {@link MAX_TAG_LABELS}; `mlflow.*` and `modelrouter.*` tags are not labels), one label per alias
 * (`mlflow-alias/<alias>: "true"`), the stage (`mlflow-stage`) and {@link SYNCED_LABEL}. Status: ACTIVE when the
 * version has an alias or the stage Production or Staging, RETIRED when Archived, DEPRECATED otherwise.
 * Skipped: a version not READY, without an endpoint or a modality, or whose name does not fit.
 */
export function mapVersion(registered: MlflowRegisteredModel, version: MlflowModelVersion, options: MappingOptions): MappedVersion {
  const mlflowName = registered.name ?? "";
  const number = version.version ?? "";
  const source = `${mlflowName}@${number}`;
  const notes: string[] = [];
  const skip = (why: string): MappedVersion => ({ source, skipped: why, notes });

  const { name, problem } = modelrouterNameOf(mlflowName);
  if (name === undefined) return skip(`the name does not fit: ${problem}`);
  const versionIssue = versionProblem(number);
  if (versionIssue !== undefined) return skip(`version "${number}" ${versionIssue}`);
  if (version.status !== undefined && version.status !== "READY") return skip(`its MLflow status is ${version.status}, not READY`);

  const tags = tagMap([...(registered.tags ?? []), ...(version.tags ?? [])]);
  const endpoint = tags.get(SYNC_TAGS.endpoint) ?? fill(options.endpointTemplate, mlflowName, number);
  if (endpoint === undefined || endpoint === "") {
    return skip(`no endpoint: tag the version ${SYNC_TAGS.endpoint}=grpc://host:port or give an endpoint template`);
  }
  const likeName = tags.get(SYNC_TAGS.like);
  const likeModel = likeName === undefined ? options.like : options.likeModels?.get(likeName);
  if (likeModel === undefined && likeName !== undefined) return skip(`its tag ${SYNC_TAGS.like} names "${likeName}", which is not registered: register it first`);
  const modality = modalityOf(tags.get(SYNC_TAGS.modality)) ?? likeModel?.modality;
  if (modality === undefined || modality === Modality.UNSPECIFIED) {
    return skip(`no modality: tag it ${SYNC_TAGS.modality}=image (text, audio, tabular, tensor) or sync --like a registered model`);
  }

  const aliases = aliasesOf(registered, version);
  const stage = (version.current_stage ?? "").toLowerCase();
  const labels = tagLabels(tags, notes);
  if (stage !== "" && stage !== "none") labels[STAGE_LABEL] = stage;
  for (const alias of aliases) {
    const key = `${ALIAS_LABEL_PREFIX}${alias}`;
    if (labelKeyProblem(key) === undefined) labels[key] = "true";
    else notes.push(`alias "${alias}" is not a label name: no label for it`);
  }
  labels[SYNCED_LABEL.key] = SYNCED_LABEL.value;

  const model = create(ModelSchema, {
    name,
    version: number,
    description: (version.description || registered.description || likeModel?.description || "").slice(0, 1000),
    task: tags.get(SYNC_TAGS.task) ?? likeModel?.task ?? "",
    modality,
    labels,
    status: statusOf(aliases.length > 0, stage),
    backend: backendOf(likeModel, create(EndpointSchema, { url: endpoint, credential: tags.get(SYNC_TAGS.credential) ?? "" }), tags, mlflowName, notes),
  });
  return { source, model, notes };
}

/**
 * The backend of a synced version: OpenAI-compatible when the model it is like has an `openai` backend (the
 * generation settings copied), else OIP with the processing and tensor names of the model it is like, if any;
 * either way at the version's endpoint, with the name at the server from the `modelrouter.model_name` tag or
 * the MLflow name.
 */
function backendOf(like: Model | undefined, endpoint: Endpoint, tags: ReadonlyMap<string, string>, mlflowName: string, notes: string[]): Backend {
  const kind = like?.backend?.kind;
  const modelName = tags.get(SYNC_TAGS.modelName) ?? mlflowName;
  if (kind?.case === "openai") {
    if (tags.has(SYNC_TAGS.modelVersion)) notes.push(`tag ${SYNC_TAGS.modelVersion} ignored: an openai backend names its model by model_name alone`);
    const { systemPrompt, maxTokens, temperature } = kind.value;
    const value = create(OpenAiBackendSchema, { endpoints: [endpoint], modelName, systemPrompt, maxTokens, ...(temperature === undefined ? {} : { temperature }) });
    return create(BackendSchema, { kind: { case: "openai", value } });
  }
  const template = kind?.case === "onnx" || kind?.case === "oip" ? kind.value : undefined;
  const value = create(OipBackendSchema, {
    endpoints: [endpoint],
    modelName,
    modelVersion: tags.get(SYNC_TAGS.modelVersion) ?? "",
    inputName: template?.inputName ?? "",
    outputName: template?.outputName ?? "",
    ...(template?.preprocessing === undefined ? {} : { preprocessing: template.preprocessing }),
    ...(template?.postprocessing === undefined ? {} : { postprocessing: template.postprocessing }),
  });
  return create(BackendSchema, { kind: { case: "oip", value } });
}

function statusOf(aliased: boolean, stage: string): ModelStatus {
  if (aliased || stage === "production" || stage === "staging") return ModelStatus.ACTIVE;
  if (stage === "archived") return ModelStatus.RETIRED;
  return ModelStatus.DEPRECATED;
}

function aliasesOf(registered: MlflowRegisteredModel, version: MlflowModelVersion): string[] {
  const aliases = new Set(version.aliases ?? []);
  for (const { alias, version: target } of registered.aliases ?? []) {
    if (alias !== undefined && target === version.version) aliases.add(alias);
  }
  return [...aliases].sort();
}

function tagMap(tags: readonly MlflowTag[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const { key, value } of tags) if (key !== undefined) map.set(key, value ?? "");
  return map;
}

function tagLabels(tags: ReadonlyMap<string, string>, notes: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  let count = 0;
  for (const [key, value] of tags) {
    if (key.startsWith("mlflow.") || key.startsWith("modelrouter.")) continue;
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem !== undefined) {
      notes.push(`tag "${key}" is not a label: ${problem}`);
    } else if (count >= MAX_TAG_LABELS) {
      notes.push(`tag "${key}" dropped: at most ${MAX_TAG_LABELS} tags become labels`);
    } else {
      labels[key] = value;
      count += 1;
    }
  }
  return labels;
}

function modalityOf(tag: string | undefined): Modality | undefined {
  if (tag === undefined) return undefined;
  const value = (Modality as unknown as Record<string, number | undefined>)[tag.toUpperCase()];
  return value === undefined || value === Modality.UNSPECIFIED ? undefined : (value as Modality);
}

function fill(template: string | undefined, name: string, version: string): string | undefined {
  return template?.replaceAll("{name}", encodeURIComponent(name)).replaceAll("{version}", encodeURIComponent(version));
}
