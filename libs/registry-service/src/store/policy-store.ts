import { clone, fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { PolicySchema, type Policy } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import type { SqlExecutor } from "../storage/sql-database.js";
import { appendAuditEvent, ANONYMOUS_ACTOR, type AuditActor } from "./audit-log.js";
import { appendChange } from "./change-log.js";
import { revisionConflict } from "./conflicts.js";
import { checkPolicyQuota } from "./quotas.js";
import { DEFAULT_POLICY_REVISIONS_KEPT, keepPolicyRevision } from "./policy-revisions.js";
import type { Page, PageRequest } from "./page.js";
import { runWrite, type StoreContext } from "./store-context.js";

/** How ApplyPolicy treats an existing policy of the same name. */
export interface PutPolicyOptions {
  /** Absent: create or replace. 0: create only. N: replace only the policy at revision N. */
  readonly expectedRevision?: bigint;
  /** Check everything and return what would be stored, without storing it (no revision is taken). */
  readonly validateOnly: boolean;
  /** Who applies it, kept with the revision: the caller's identity, or "". */
  readonly appliedBy?: string;
  /** Who applies it, for the audit log (default `ANONYMOUS_ACTOR`). */
  readonly actor?: AuditActor;
  /** Sees the policy it would replace (in the write's transaction) and throws to refuse replacing it. */
  readonly mayReplace?: (existing: Policy) => void;
}

/** The audit log's resource name of a policy: "policy/<name>". */
export function policyResource(name: string): string {
  return `policy/${name}`;
}

/** The outcome of {@link putPolicy}. */
export interface PutPolicyResult {
  /** The policy as stored (or as it would be, with `validateOnly`: then its revision is the current one, 0 if new). */
  readonly policy: Policy;
  /** True when no policy of that name existed. */
  readonly created: boolean;
}

/** A policy as stored: protobuf JSON, the form of the `body` column and of change log payloads. */
export function policyToJson(policy: Policy): JsonValue {
  return toJson(PolicySchema, policy);
}

/** Reads a stored policy. */
export function policyFromJson(json: unknown): Policy {
  return fromJson(PolicySchema, json as JsonValue, { ignoreUnknownFields: true });
}

/**
 * Creates or replaces a policy (already compiled by the caller) at a new revision, keeping its create time,
 * and keeps the stored body as a revision of the policy (see `keepPolicyRevision`).
 *
 * @throws DomainError REVISION_CONFLICT when `expectedRevision` does not match; QUOTA_EXCEEDED when it would
 *   be created and the registry holds its most policies (also with `validateOnly`).
 */
export async function putPolicy(ctx: StoreContext, policy: Policy, options: PutPolicyOptions): Promise<PutPolicyResult> {
  const apply = async (tx: SqlExecutor, revision: bigint | undefined): Promise<PutPolicyResult> => {
    const existing = await selectPolicy(tx, policy.name, revision !== undefined);
    if (existing !== undefined) options.mayReplace?.(existing);
    if (options.expectedRevision !== undefined && options.expectedRevision !== (existing?.revision ?? 0n)) {
      throw revisionConflict(`policy "${policy.name}"`, options.expectedRevision, existing?.revision ?? 0n);
    }
    if (existing === undefined) await checkPolicyQuota(tx, ctx.quotas.maxPolicies);
    const now = ctx.now();
    const stored = clone(PolicySchema, policy);
    stored.revision = revision ?? existing?.revision ?? 0n;
    stored.createTime = existing?.createTime ?? timestampFromDate(now);
    stored.updateTime = timestampFromDate(now);
    const result = { policy: stored, created: existing === undefined };
    if (revision === undefined) return result;
    const body = JSON.stringify(policyToJson(stored));
    await tx.query(
      `INSERT INTO registry_policies (name, create_time, update_time, revision, body)
        VALUES ($1, $2, $3, $4::bigint, $5::jsonb)
        ON CONFLICT (name) DO UPDATE SET update_time = $3, revision = $4::bigint, body = $5::jsonb`,
      [stored.name, now, now, revision.toString(), body],
    );
    await appendChange(tx, { revision, seq: 0, kind: "policy", type: "PUT", key: stored.name, payload: policyToJson(stored) });
    await keepPolicyRevision(tx, stored, options.appliedBy ?? "", ctx.policyRevisionsKept ?? DEFAULT_POLICY_REVISIONS_KEPT);
    await appendAuditEvent(tx, now, {
      actor: options.actor ?? ANONYMOUS_ACTOR,
      action: "ApplyPolicy",
      resource: policyResource(stored.name),
      ...(existing === undefined ? {} : { before: policyToJson(existing) }),
      after: policyToJson(stored),
      revision,
    });
    return result;
  };
  if (options.validateOnly) return ctx.db.transaction((tx) => apply(tx, undefined));
  return runWrite(ctx, (tx, revision) => apply(tx, revision));
}

/**
 * One policy by name.
 *
 * @throws DomainError POLICY_NOT_FOUND.
 */
export async function findPolicy(db: SqlExecutor, name: string): Promise<Policy> {
  const policy = await selectPolicy(db, name, false);
  if (policy === undefined) throw policyNotFound(name);
  return policy;
}

/** A page of policies ordered by name; with `visibleTo`, only those that tenant may see (shared ones and its own). */
export async function queryPolicies(db: SqlExecutor, page: PageRequest<string>, visibleTo?: string): Promise<Page<Policy, string>> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (page.after !== undefined) {
    params.push(page.after);
    where.push(`name > $${params.length}`);
  }
  if (visibleTo !== undefined) {
    params.push(visibleTo);
    where.push(`tenant IN ('', $${params.length})`);
  }
  params.push(page.size + 1);
  const clause = where.length === 0 ? "" : `WHERE ${where.join(" AND ")} `;
  const { rows } = await db.query(`SELECT body FROM registry_policies ${clause}ORDER BY name LIMIT $${params.length}`, params);
  const items = rows.slice(0, page.size).map((row) => policyFromJson(row["body"]));
  const last = items[items.length - 1];
  if (rows.length <= page.size || last === undefined) return { items };
  return { items, nextAfter: last.name };
}

/**
 * Deletes a policy at a new revision and returns its last state.
 *
 * @throws DomainError POLICY_NOT_FOUND, or REVISION_CONFLICT when `expectedRevision` is given and differs;
 *   whatever `mayRemove` (which sees the stored policy) throws.
 */
export async function removePolicy(
  ctx: StoreContext,
  name: string,
  expectedRevision: bigint | undefined,
  actor: AuditActor = ANONYMOUS_ACTOR,
  mayRemove?: (existing: Policy) => void,
): Promise<Policy> {
  return runWrite(ctx, async (tx, revision) => {
    const existing = await selectPolicy(tx, name, true);
    if (existing === undefined) throw policyNotFound(name);
    mayRemove?.(existing);
    if (expectedRevision !== undefined && expectedRevision !== existing.revision) {
      throw revisionConflict(`policy "${name}"`, expectedRevision, existing.revision);
    }
    await tx.query("DELETE FROM registry_policies WHERE name = $1", [name]);
    await appendChange(tx, { revision, seq: 0, kind: "policy", type: "DELETE", key: name });
    await appendAuditEvent(tx, ctx.now(), { actor, action: "DeletePolicy", resource: policyResource(name), before: policyToJson(existing), revision });
    return existing;
  });
}

async function selectPolicy(db: SqlExecutor, name: string, forUpdate: boolean): Promise<Policy | undefined> {
  const { rows } = await db.query(
    `SELECT body FROM registry_policies WHERE name = $1${forUpdate ? " FOR UPDATE" : ""}`,
    [name],
  );
  return rows[0] === undefined ? undefined : policyFromJson(rows[0]["body"]);
}

/** POLICY_NOT_FOUND: no policy of that name (or none the caller may see). */
export function policyNotFound(name: string): DomainError {
  return new DomainError(ErrorReason.POLICY_NOT_FOUND, `policy "${name}" does not exist`, { metadata: { name } });
}
