import { create, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { AuditEventSchema, type AuditEvent } from "@modelrouter/contracts";
import { toBigInt, type SqlExecutor } from "../storage/sql-database.js";
import type { Page, PageRequest } from "./page.js";

/** Who made a change, as the audit log keeps it: the caller identity's subject and tenant. */
export interface AuditActor {
  /** "key:<id>", a JWT's "sub", "internal:<service>", "anonymous", "experiment:<name>". */
  readonly subject: string;
  /** "" for an identity of no tenant. */
  readonly tenant: string;
}

/** The actor of a write made without an identity (authentication off, or the store called directly). */
export const ANONYMOUS_ACTOR: AuditActor = Object.freeze({ subject: "anonymous", tenant: "" });

/** One change to record in the audit log, in the transaction that makes it. */
export interface AuditEntry {
  readonly actor: AuditActor;
  /** The RPC that made the change: "RegisterModel", "ApplyPolicy", "RevokeApiKey"… */
  readonly action: string;
  /** "model/<name>@<version>", "policy/<name>" or "api-key/<id>". */
  readonly resource: string;
  /** The resource's JSON before the change; undefined when it did not exist. Never a secret. */
  readonly before?: JsonValue;
  /** The resource's JSON after the change; undefined when it was deleted. Never a secret. */
  readonly after?: JsonValue;
  /** The registry revision of the change; 0 for changes outside the revision sequence (API keys). */
  readonly revision: bigint;
}

/** ListAuditEvents filters; every given filter must hold. */
export interface AuditFilter {
  readonly resourcePrefix?: string;
  readonly actor?: string;
  readonly startTime?: Date;
}

/** Appends one event to the audit log (append-only: the table refuses updates and deletes). */
export async function appendAuditEvent(tx: SqlExecutor, time: Date, entry: AuditEntry): Promise<void> {
  await tx.query(
    `INSERT INTO registry_audit_events (time, actor, actor_tenant, action, resource, before, after, revision)
      VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::bigint)`,
    [
      time,
      entry.actor.subject,
      entry.actor.tenant,
      entry.action,
      entry.resource,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after),
      entry.revision.toString(),
    ],
  );
}

/** A page of audit events matching `filter`, newest first; the page key is the last event's sequence. */
export async function queryAuditEvents(
  db: SqlExecutor,
  filter: AuditFilter,
  page: PageRequest<string>,
): Promise<Page<AuditEvent, string>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.resourcePrefix !== undefined) {
    where.push(`left(resource, ${param(filter.resourcePrefix.length)}) = ${param(filter.resourcePrefix)}`);
  }
  if (filter.actor !== undefined) where.push(`actor = ${param(filter.actor)}`);
  if (filter.startTime !== undefined) where.push(`time >= ${param(filter.startTime)}`);
  if (page.after !== undefined) where.push(`sequence < ${param(page.after)}::bigint`);
  const clause = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
  const { rows } = await db.query(
    `SELECT sequence, time, actor, actor_tenant, action, resource, before, after, revision
      FROM registry_audit_events ${clause} ORDER BY sequence DESC LIMIT ${param(page.size + 1)}`,
    params,
  );
  const items = rows.slice(0, page.size).map(auditEventOf);
  const last = items[items.length - 1];
  if (rows.length <= page.size || last === undefined) return { items };
  return { items, nextAfter: last.sequence.toString() };
}

function auditEventOf(row: Readonly<Record<string, unknown>>): AuditEvent {
  const before = row["before"];
  const after = row["after"];
  return create(AuditEventSchema, {
    sequence: toBigInt(row["sequence"]),
    time: timestampFromDate(new Date(row["time"] as Date | string)),
    actor: String(row["actor"]),
    actorTenant: String(row["actor_tenant"]),
    action: String(row["action"]),
    resource: String(row["resource"]),
    ...(before === null || before === undefined ? {} : { before: fromJson(ValueSchema, before as JsonValue) }),
    ...(after === null || after === undefined ? {} : { after: fromJson(ValueSchema, after as JsonValue) }),
    revision: toBigInt(row["revision"]),
  });
}
