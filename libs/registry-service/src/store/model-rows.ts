import { fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { ModelSchema, type Model } from "@modelrouter/contracts";

/** The key of a model version in the change log: `name/version`. */
export function modelKey(model: Pick<Model, "name" | "version">): string {
  return `${model.name}/${model.version}`;
}

/** A model as stored: protobuf JSON, the form of the `body` column and of change log payloads. */
export function modelToJson(model: Model): JsonValue {
  return toJson(ModelSchema, model);
}

/** Reads a stored model (a `body` column or a change log payload). */
export function modelFromJson(json: unknown): Model {
  return fromJson(ModelSchema, json as JsonValue, { ignoreUnknownFields: true });
}

/** The column values of a model row, in the order of {@link MODEL_COLUMNS}. */
export function modelRowValues(model: Model, createTime: Date, updateTime: Date): unknown[] {
  return [
    model.name,
    model.version,
    model.task,
    model.modality,
    model.status,
    JSON.stringify(model.labels),
    createTime,
    updateTime,
    model.revision.toString(),
    JSON.stringify(modelToJson(model)),
  ];
}

/** The columns of `registry_models`, in the order of {@link modelRowValues}. */
export const MODEL_COLUMNS =
  "name, version, task, modality, status, labels, create_time, update_time, revision, body";

/** The placeholders matching {@link MODEL_COLUMNS}. */
export const MODEL_PLACEHOLDERS = "$1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::bigint, $10::jsonb";
