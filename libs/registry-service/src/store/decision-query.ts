import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { DecisionRecord } from "@modelrouter/contracts";
import type { SqlExecutor } from "../storage/sql-database.js";
import { decisionFromRow } from "./decision-rows.js";
import type { Page, PageRequest } from "./page.js";

/** Which decisions ListDecisions returns: those matching every filter given. */
export interface DecisionFilter {
  /** At or after this time. */
  readonly startTime?: Date;
  /** Before this time. */
  readonly endTime?: Date;
  /** Answered by this model (any version). */
  readonly model?: string;
  readonly policy?: string;
  readonly rule?: string;
  readonly policyRevision?: bigint;
  readonly tenant?: string;
  /** The final google.rpc.Code: 0 when a model answered. */
  readonly code?: number;
  readonly fallbackUsed?: boolean;
}

/** Where a page of decisions resumes: after this time (ISO) and request id, newest first. */
export interface DecisionKey {
  readonly time: string;
  readonly requestId: string;
}

/**
 * The listing key of a stored decision. Its time is stored at millisecond precision (what `upsertDecisions`
 * writes), so the key of a record read back equals its row's.
 */
export function decisionKeyOf(record: DecisionRecord): DecisionKey {
  return { time: record.time === undefined ? new Date(0).toISOString() : timestampDate(record.time).toISOString(), requestId: record.requestId };
}

/** The statement that reads a page of decisions (see {@link queryDecisions}), with its parameters. */
export function decisionQuery(filter: DecisionFilter, page: PageRequest<DecisionKey>): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown, type: string): string => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  if (filter.startTime !== undefined) where.push(`time >= ${param(filter.startTime, "timestamptz")}`);
  if (filter.endTime !== undefined) where.push(`time < ${param(filter.endTime, "timestamptz")}`);
  if (filter.model !== undefined) where.push(`model_name = ${param(filter.model, "text")}`);
  if (filter.policy !== undefined) where.push(`policy = ${param(filter.policy, "text")}`);
  if (filter.rule !== undefined) where.push(`rule = ${param(filter.rule, "text")}`);
  if (filter.policyRevision !== undefined) where.push(`policy_revision = ${param(filter.policyRevision.toString(), "bigint")}`);
  if (filter.tenant !== undefined) where.push(`tenant = ${param(filter.tenant, "text")}`);
  if (filter.code !== undefined) where.push(`code = ${param(filter.code, "integer")}`);
  if (filter.fallbackUsed !== undefined) where.push(`fallback_used = ${param(filter.fallbackUsed, "boolean")}`);
  if (page.after !== undefined) {
    where.push(`(time, request_id) < (${param(page.after.time, "timestamptz")}, ${param(page.after.requestId, "text")})`);
  }
  const sql = `SELECT body, feedback FROM registry_decisions
      ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`}
      ORDER BY time DESC, request_id DESC
      LIMIT ${param(page.size + 1, "integer")}`;
  return { sql, params };
}

/**
 * A page of logged decisions matching `filter`, newest first (by time, then request id descending), with
 * their feedback. Keyset pagination: a page resumes strictly after the last row of the previous one.
 */
export async function queryDecisions(
  db: SqlExecutor,
  filter: DecisionFilter,
  page: PageRequest<DecisionKey>,
): Promise<Page<DecisionRecord, DecisionKey>> {
  const { sql, params } = decisionQuery(filter, page);
  const { rows } = await db.query(sql, params);
  const items = rows.slice(0, page.size).map((row) => decisionFromRow(row["body"], row["feedback"]));
  const last = items[items.length - 1];
  if (rows.length <= page.size || last === undefined) return { items };
  return { items, nextAfter: decisionKeyOf(last) };
}
