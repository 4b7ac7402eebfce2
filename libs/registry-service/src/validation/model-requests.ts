import { clone, create } from "@bufbuild/protobuf";
import {
  Modality,
  ModelSchema,
  ModelStatus,
  type DeregisterModelRequest,
  type GetModelRequest,
  type ListModelsRequest,
  type Model,
  type RegisterModelRequest,
  type UpdateModelRequest,
} from "@modelrouter/contracts";
import type { EgressPolicy } from "@modelrouter/egress";
import { Violations } from "@modelrouter/errors";
import { quoted } from "@modelrouter/syntax";
import { UPDATABLE_MODEL_FIELDS, type ModelFilter, type ModelKey, type UpdatableModelField } from "../store/model-store.js";
import type { PageRequest } from "../store/page.js";
import { ItemReport, checkCount } from "./bounds.js";
import { checkLabels } from "./labels.js";
import { checkDescription, checkMetrics, checkModel, checkStatus, checkTask } from "./model-validation.js";
import { checkName, checkOptionalName, checkVersion } from "./names.js";
import { checkPageToken, pageSizeOf, pageTokenCodec, type PageTokenCodec } from "./page-token.js";

/**
 * The model to register: checked completely (every problem at once; remote endpoints against the `egress`
 * policy), output-only fields cleared, status defaulted to ACTIVE.
 *
 * @throws DomainError INVALID_FIELD listing every problem.
 */
export function parseRegisterModel(request: RegisterModelRequest, egress: EgressPolicy): Model {
  const v = new Violations();
  if (request.model === undefined) v.add("model", "is required: the model version to register");
  const model = clone(ModelSchema, request.model ?? create(ModelSchema));
  model.revision = 0n;
  model.createTime = undefined;
  model.updateTime = undefined;
  if (request.model !== undefined) checkModel(v, "model", model, egress);
  v.throwIfAny("the model cannot be registered");
  if (model.status === ModelStatus.UNSPECIFIED) model.status = ModelStatus.ACTIVE;
  return model;
}

/** The version GetModel names (undefined: the latest servable one). */
export function parseGetModel(request: GetModelRequest): { name: string; version: string | undefined } {
  const v = new Violations();
  checkName(v, "name", request.name, "digits-general", "model");
  checkVersion(v, "version", request.version, false);
  v.throwIfAny("invalid GetModel request");
  return { name: request.name, version: request.version === "" ? undefined : request.version };
}

/** The most `update_mask.paths` an UpdateModel request may list (there are five updatable fields). */
const MAX_MASK_PATHS = 16;

/** A parsed ListModels request and the page token codec of its filters. */
export interface ModelListing {
  readonly filter: ModelFilter;
  readonly page: PageRequest<ModelKey>;
  readonly tokens: PageTokenCodec<ModelKey>;
}

/**
 * The filters and page of a ListModels request; the page token must come from the same filters. The name
 * filter must be a valid model name, the task filter no longer than a task, the label filter valid labels
 * (at most `MAX_LABELS`), and the page token no longer than {@link MAX_PAGE_TOKEN_LENGTH}.
 *
 * @throws DomainError INVALID_FIELD listing every problem.
 */
export function parseListModels(request: ListModelsRequest): ModelListing {
  const v = new Violations();
  checkOptionalName(v, "name", request.name, "digits-general", "model");
  checkTask(v, "task", request.task);
  checkLabels(v, "labels", request.labels);
  if (Modality[request.modality] === undefined) v.add("modality", `is ${request.modality}, not a known modality: leave it unspecified for every modality`);
  if (ModelStatus[request.status] === undefined) v.add("status", `is ${request.status}, not a known status: leave it unspecified for every status`);
  checkPageToken(v, request.pageToken);
  v.throwIfAny("invalid ListModels request");
  const filter: ModelFilter = {
    ...(request.name === "" ? {} : { name: request.name }),
    ...(request.task === "" ? {} : { task: request.task }),
    ...(request.modality === Modality.UNSPECIFIED ? {} : { modality: request.modality }),
    ...(Object.keys(request.labels).length === 0 ? {} : { labels: { ...request.labels } }),
    ...(request.status === ModelStatus.UNSPECIFIED ? {} : { status: request.status }),
  };
  const size = pageSizeOf(request.pageSize);
  const tokens = pageTokenCodec({ listing: "models", filter }, isModelKey);
  const after = tokens.decode(request.pageToken);
  return { filter, page: after === undefined ? { size } : { size, after }, tokens };
}

/** A checked UpdateModel request. */
export interface ModelUpdate {
  readonly key: ModelKey;
  /** Carries the new values of `fields`. */
  readonly source: Model;
  readonly fields: readonly UpdatableModelField[];
  readonly expectedRevision: bigint | undefined;
}

/**
 * The version, fields and new values of an UpdateModel request. Every mask path must be an updatable field,
 * and the new value of every masked field must be valid.
 *
 * @throws DomainError INVALID_FIELD listing every problem (unknown paths at `update_mask.paths[i]`).
 */
export function parseUpdateModel(request: UpdateModelRequest): ModelUpdate {
  const v = new Violations();
  const model = request.model;
  if (model === undefined) v.add("model", "is required: name the version (name, version) and carry the new values");
  else {
    checkName(v, "model.name", model.name, "digits-general", "model");
    checkVersion(v, "model.version", model.version, true);
  }
  const paths = request.updateMask?.paths ?? [];
  if (paths.length === 0) v.add("update_mask", `is required: list the fields to change, any of ${UPDATABLE_MODEL_FIELDS.join(", ")}`);
  const fields: UpdatableModelField[] = [];
  const unknown = new ItemReport(v, "update_mask.paths");
  checkCount(v, "update_mask.paths", paths, MAX_MASK_PATHS, "paths", `list each of ${UPDATABLE_MODEL_FIELDS.join(", ")} at most once`).forEach(
    (path, i) => {
      const field = UPDATABLE_MODEL_FIELDS.find((name) => name === path);
      if (field === undefined) {
        unknown.add(
          `update_mask.paths[${i}]`,
          `${quoted(path)} cannot be updated: use any of ${UPDATABLE_MODEL_FIELDS.join(", ")} (register a new version to change anything else)`,
        );
      } else if (!fields.includes(field)) fields.push(field);
    },
  );
  unknown.done();
  if (model !== undefined) {
    for (const field of fields) checkUpdatedField(v, model, field);
  }
  checkExpectedRevision(v, "expected_revision", request.expectedRevision);
  v.throwIfAny("the model cannot be updated");
  const source = request.model as Model;
  return { key: { name: source.name, version: source.version }, source, fields, expectedRevision: request.expectedRevision };
}

/** The model, optional version and optional expected revision of a DeregisterModel request. */
export function parseDeregisterModel(request: DeregisterModelRequest): {
  name: string;
  version: string | undefined;
  expectedRevision: bigint | undefined;
} {
  const v = new Violations();
  checkName(v, "name", request.name, "digits-general", "model");
  checkVersion(v, "version", request.version, false);
  checkExpectedRevision(v, "expected_revision", request.expectedRevision);
  if (request.expectedRevision !== undefined && request.version === "") {
    v.add("expected_revision", "applies to one version: name the version too, or leave expected_revision out to remove every version");
  }
  v.throwIfAny("invalid DeregisterModel request");
  return {
    name: request.name,
    version: request.version === "" ? undefined : request.version,
    expectedRevision: request.expectedRevision,
  };
}

/** Records a negative expected revision (revisions start at 1; 0 means "does not exist"). */
export function checkExpectedRevision(v: Violations, field: string, expected: bigint | undefined): void {
  if (expected !== undefined && expected < 0n) v.add(field, `is ${expected}: give the revision you read (never negative)`);
}

function checkUpdatedField(v: Violations, model: Model, field: UpdatableModelField): void {
  switch (field) {
    case "description":
      checkDescription(v, "model.description", model.description);
      return;
    case "task":
      checkTask(v, "model.task", model.task);
      return;
    case "labels":
      checkLabels(v, "model.labels", model.labels);
      return;
    case "metrics":
      if (model.metrics !== undefined) checkMetrics(v, "model.metrics", model.metrics);
      return;
    case "status":
      checkStatus(v, "model.status", model.status);
      return;
  }
}

function isModelKey(value: unknown): value is ModelKey {
  if (typeof value !== "object" || value === null) return false;
  const { name, version } = value as Record<string, unknown>;
  return typeof name === "string" && typeof version === "string";
}
