import { clone } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ModelSchema, ModelStatus, OfflineMetricsSchema, type Modality, type Model } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import type { SqlExecutor } from "../storage/sql-database.js";
import { appendAuditEvent, ANONYMOUS_ACTOR, type AuditActor } from "./audit-log.js";
import { appendChange } from "./change-log.js";
import { revisionConflict } from "./conflicts.js";
import { checkModelQuota } from "./quotas.js";
import { MODEL_COLUMNS, MODEL_PLACEHOLDERS, modelFromJson, modelKey, modelRowValues, modelToJson } from "./model-rows.js";
import type { Page, PageRequest } from "./page.js";
import { runWrite, type StoreContext } from "./store-context.js";

/** Names one model version. */
export interface ModelKey {
  readonly name: string;
  readonly version: string;
}

/** The fields of a model version that UpdateModel may change. */
export const UPDATABLE_MODEL_FIELDS = ["description", "task", "labels", "metrics", "status"] as const;

/** One of {@link UPDATABLE_MODEL_FIELDS}. */
export type UpdatableModelField = (typeof UPDATABLE_MODEL_FIELDS)[number];

/** ListModels filters; every given filter must hold (AND). */
export interface ModelFilter {
  readonly name?: string;
  readonly task?: string;
  readonly modality?: Modality;
  /** Every one of these labels, with these values. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly status?: ModelStatus;
  /** Only the versions this tenant may see: shared ones (of no tenant) and its own. */
  readonly visibleTo?: string;
}

/**
 * Stores a new model version at a new revision, with the server's create and update times.
 *
 * @throws DomainError MODEL_VERSION_EXISTS when (name, version) is registered; QUOTA_EXCEEDED when the
 *   registry holds its most model versions.
 */
export async function insertModel(ctx: StoreContext, model: Model, actor: AuditActor = ANONYMOUS_ACTOR): Promise<Model> {
  return runWrite(ctx, async (tx, revision) => {
    await checkModelQuota(tx, ctx.quotas.maxModels);
    const now = ctx.now();
    const stored = clone(ModelSchema, model);
    stored.revision = revision;
    stored.createTime = timestampFromDate(now);
    stored.updateTime = timestampFromDate(now);
    const { rows } = await tx.query(
      `INSERT INTO registry_models (${MODEL_COLUMNS}) VALUES (${MODEL_PLACEHOLDERS})
        ON CONFLICT (name, version) DO NOTHING RETURNING name`,
      modelRowValues(stored, now, now),
    );
    if (rows.length === 0) {
      throw new DomainError(
        ErrorReason.MODEL_VERSION_EXISTS,
        `model "${model.name}" version "${model.version}" is already registered: register another version, ` +
          `or change this one with UpdateModel`,
        { metadata: { name: model.name, version: model.version } },
      );
    }
    await appendChange(tx, { revision, seq: 0, kind: "model", type: "PUT", key: modelKey(stored), payload: modelToJson(stored) });
    await appendAuditEvent(tx, now, { actor, action: "RegisterModel", resource: modelResource(stored), after: modelToJson(stored), revision });
    return stored;
  });
}

/** The audit log's resource name of a model version: "model/<name>@<version>". */
export function modelResource(key: ModelKey): string {
  return `model/${key.name}@${key.version}`;
}

/**
 * One model version; without a version, the latest (by create time) that is active or deprecated. With
 * `visibleTo`, only the versions that tenant may see (shared ones and its own); others are not found.
 *
 * @throws DomainError MODEL_NOT_FOUND.
 */
export async function findModel(db: SqlExecutor, name: string, version: string | undefined, visibleTo?: string): Promise<Model> {
  const scope = visibleTo === undefined ? "" : " AND tenant IN ('', $4)";
  const scoped = visibleTo === undefined ? [] : [visibleTo];
  if (version !== undefined) {
    const { rows } = await db.query(`SELECT body FROM registry_models WHERE name = $1 AND version = $2${scope.replace("$4", "$3")}`, [name, version, ...scoped]);
    if (rows[0] === undefined) throw modelNotFound(name, version);
    return modelFromJson(rows[0]["body"]);
  }
  const { rows } = await db.query(
    `SELECT body FROM registry_models WHERE name = $1 AND status IN ($2, $3)${scope}
      ORDER BY create_time DESC, revision DESC LIMIT 1`,
    [name, ModelStatus.ACTIVE, ModelStatus.DEPRECATED, ...scoped],
  );
  if (rows[0] !== undefined) return modelFromJson(rows[0]["body"]);
  const any = await db.query(`SELECT 1 FROM registry_models WHERE name = $1${scope.replace("$4", "$2")} LIMIT 1`, [name, ...scoped]);
  if (any.rows.length === 0) throw modelNotFound(name, undefined);
  throw new DomainError(
    ErrorReason.MODEL_NOT_FOUND,
    `model "${name}" has no active or deprecated version (only staging or retired ones): name a version`,
    { metadata: { name } },
  );
}

/** A page of the model versions matching `filter`, ordered by (name, version). */
export async function queryModels(
  db: SqlExecutor,
  filter: ModelFilter,
  page: PageRequest<ModelKey>,
): Promise<Page<Model, ModelKey>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.name !== undefined) where.push(`name = ${param(filter.name)}`);
  if (filter.task !== undefined) where.push(`task = ${param(filter.task)}`);
  if (filter.modality !== undefined) where.push(`modality = ${param(filter.modality)}`);
  if (filter.status !== undefined) where.push(`status = ${param(filter.status)}`);
  if (filter.labels !== undefined) where.push(`labels @> ${param(JSON.stringify(filter.labels))}::jsonb`);
  if (filter.visibleTo !== undefined) where.push(`tenant IN ('', ${param(filter.visibleTo)})`);
  if (page.after !== undefined) where.push(`(name, version) > (${param(page.after.name)}, ${param(page.after.version)})`);
  const clause = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
  const { rows } = await db.query(
    `SELECT body FROM registry_models ${clause} ORDER BY name, version LIMIT ${param(page.size + 1)}`,
    params,
  );
  const items = rows.slice(0, page.size).map((row) => modelFromJson(row["body"]));
  const last = items[items.length - 1];
  if (rows.length <= page.size || last === undefined) return { items };
  return { items, nextAfter: { name: last.name, version: last.version } };
}

/**
 * Copies the `fields` of `source` onto the stored version at a new revision. `check` sees the updated
 * version (output-only fields cleared) before it is stored, and throws to refuse it.
 *
 * @throws DomainError MODEL_NOT_FOUND, or REVISION_CONFLICT when `expectedRevision` is given and differs;
 *   whatever `check` throws.
 */
export async function patchModel(
  ctx: StoreContext,
  key: ModelKey,
  source: Model,
  fields: readonly UpdatableModelField[],
  expectedRevision: bigint | undefined,
  check: (updated: Model) => void = () => undefined,
  actor: AuditActor = ANONYMOUS_ACTOR,
): Promise<Model> {
  return runWrite(ctx, async (tx, revision) => {
    const { rows } = await tx.query(
      "SELECT body FROM registry_models WHERE name = $1 AND version = $2 FOR UPDATE",
      [key.name, key.version],
    );
    if (rows[0] === undefined) throw modelNotFound(key.name, key.version);
    const stored = modelFromJson(rows[0]["body"]);
    const before = modelToJson(stored);
    checkExpected(key, expectedRevision, stored.revision);
    for (const field of fields) copyField(stored, source, field);
    check(withoutOutputFields(stored));
    const now = ctx.now();
    stored.revision = revision;
    stored.updateTime = timestampFromDate(now);
    await tx.query(
      `UPDATE registry_models SET task = $3, status = $4, labels = $5::jsonb, update_time = $6,
        revision = $7::bigint, body = $8::jsonb WHERE name = $1 AND version = $2`,
      [
        key.name,
        key.version,
        stored.task,
        stored.status,
        JSON.stringify(stored.labels),
        now,
        revision.toString(),
        JSON.stringify(modelToJson(stored)),
      ],
    );
    const after = modelToJson(stored);
    await appendChange(tx, { revision, seq: 0, kind: "model", type: "PUT", key: modelKey(stored), payload: after });
    await appendAuditEvent(tx, now, { actor, action: "UpdateModel", resource: modelResource(stored), before, after, revision });
    return stored;
  });
}

/**
 * Removes one version, or every version of a model, at one new revision; returns what was removed.
 *
 * @throws DomainError MODEL_NOT_FOUND, or REVISION_CONFLICT when `expectedRevision` is given and differs.
 */
export async function removeModels(
  ctx: StoreContext,
  name: string,
  version: string | undefined,
  expectedRevision: bigint | undefined,
  actor: AuditActor = ANONYMOUS_ACTOR,
): Promise<Model[]> {
  return runWrite(ctx, async (tx, revision) => {
    const { rows } =
      version === undefined
        ? await tx.query("SELECT body FROM registry_models WHERE name = $1 ORDER BY version FOR UPDATE", [name])
        : await tx.query("SELECT body FROM registry_models WHERE name = $1 AND version = $2 FOR UPDATE", [name, version]);
    if (rows.length === 0) throw modelNotFound(name, version);
    const removed = rows.map((row) => modelFromJson(row["body"]));
    if (version !== undefined && removed[0] !== undefined) checkExpected({ name, version }, expectedRevision, removed[0].revision);
    if (version === undefined) await tx.query("DELETE FROM registry_models WHERE name = $1", [name]);
    else await tx.query("DELETE FROM registry_models WHERE name = $1 AND version = $2", [name, version]);
    for (const [seq, model] of removed.entries()) {
      await appendChange(tx, { revision, seq, kind: "model", type: "DELETE", key: modelKey(model) });
      await appendAuditEvent(tx, ctx.now(), { actor, action: "DeregisterModel", resource: modelResource(model), before: modelToJson(model), revision });
    }
    return removed;
  });
}

/**
 * The model versions a policy's targets can resolve to: every version of the `names` given and, when
 * `selectable` is true (the policy has label selectors), every active or deprecated version.
 */
export async function findCatalogueModels(db: SqlExecutor, names: readonly string[], selectable: boolean): Promise<Model[]> {
  if (names.length === 0 && !selectable) return [];
  const { rows } = await db.query(
    `SELECT body FROM registry_models WHERE name = ANY($1::text[])${selectable ? " OR status IN ($2, $3)" : ""}
      ORDER BY name, version`,
    selectable ? [[...names], ModelStatus.ACTIVE, ModelStatus.DEPRECATED] : [[...names]],
  );
  return rows.map((row) => modelFromJson(row["body"]));
}

function withoutOutputFields(model: Model): Model {
  const body = clone(ModelSchema, model);
  body.revision = 0n;
  body.createTime = undefined;
  body.updateTime = undefined;
  return body;
}

function copyField(target: Model, source: Model, field: UpdatableModelField): void {
  switch (field) {
    case "description":
      target.description = source.description;
      return;
    case "task":
      target.task = source.task;
      return;
    case "labels":
      target.labels = { ...source.labels };
      return;
    case "metrics":
      target.metrics = source.metrics === undefined ? undefined : clone(OfflineMetricsSchema, source.metrics);
      return;
    case "status":
      target.status = source.status;
      return;
  }
}

function checkExpected(key: ModelKey, expected: bigint | undefined, actual: bigint): void {
  if (expected !== undefined && expected !== actual) {
    throw revisionConflict(`model "${key.name}" version "${key.version}"`, expected, actual);
  }
}

function modelNotFound(name: string, version: string | undefined): DomainError {
  const what = version === undefined ? `model "${name}" is not registered` : `model "${name}" version "${version}" is not registered`;
  return new DomainError(ErrorReason.MODEL_NOT_FOUND, what, {
    metadata: version === undefined ? { name } : { name, version },
  });
}
