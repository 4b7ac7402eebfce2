import { create, toJson } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { FeedbackSchema, type DecisionRecord, type Feedback } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import type { SqlExecutor } from "../storage/sql-database.js";
import { decisionBodyToJson, decisionFromRow, jsonbText } from "./decision-rows.js";

/** The truth about an answer: the true label, or a reward. */
export type FeedbackValue = Exclude<Feedback["value"], { case: undefined }>;

/** The SQL types of one decision row's parameters, in the order of the INSERT below. */
const COLUMN_TYPES = [
  "text",
  "timestamptz",
  "text",
  "text",
  "text",
  "text",
  "integer",
  "text",
  "text",
  "jsonb",
  "bigint",
  "boolean",
] as const;

/**
 * Stores routers' decisions (already validated, `time` set) in one statement, replacing earlier records of
 * the same request ids but keeping their feedback (whose `correct` is then recomputed against the new
 * `top_label`). Of several records of one request id in `records`, the last wins.
 *
 * Decision records are data, not configuration: no revision is taken and nothing reaches watchers. The
 * write commits asynchronously: it is one statement (its own transaction) that first runs
 * `set_config('synchronous_commit', 'off', true)`, the function form of `SET LOCAL synchronous_commit TO
 * OFF`, so the commit does not wait for its WAL flush and the setting ends with the statement. A crash of
 * the database server may therefore lose the last records acknowledged before it (never a registry write,
 * which commits synchronously in transactions of its own).
 */
export async function upsertDecisions(db: SqlExecutor, records: readonly DecisionRecord[]): Promise<void> {
  const latest = new Map<string, DecisionRecord>();
  for (const record of records) {
    if (record.time === undefined) throw new TypeError("a decision record needs its time (validate it first)");
    latest.delete(record.requestId);
    latest.set(record.requestId, record);
  }
  if (latest.size === 0) return;
  const params: unknown[] = [];
  const rows: string[] = [];
  for (const record of latest.values()) {
    const at = params.length;
    rows.push(`(${COLUMN_TYPES.map((type, i) => `$${at + i + 1}::${type}`).join(", ")})`);
    params.push(
      record.requestId,
      timestampDate(record.time!),
      record.model?.name ?? null,
      record.model?.version ?? null,
      record.policy,
      record.rule,
      record.code,
      record.topLabel,
      record.tenant,
      jsonbText(decisionBodyToJson(record)),
      record.policyRevision.toString(),
      record.fallbackUsed,
    );
  }
  await db.query(
    `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
      INSERT INTO registry_decisions
          (request_id, time, model_name, model_version, policy, rule, code, top_label, tenant, body, policy_revision,
          fallback_used)
        SELECT v.* FROM (VALUES ${rows.join(", ")})
          AS v(request_id, time, model_name, model_version, policy, rule, code, top_label, tenant, body, policy_revision,
            fallback_used), async_commit
      ON CONFLICT (request_id) DO UPDATE SET
        time = EXCLUDED.time,
        model_name = EXCLUDED.model_name,
        model_version = EXCLUDED.model_version,
        policy = EXCLUDED.policy,
        rule = EXCLUDED.rule,
        code = EXCLUDED.code,
        top_label = EXCLUDED.top_label,
        tenant = EXCLUDED.tenant,
        body = EXCLUDED.body,
        policy_revision = EXCLUDED.policy_revision,
        fallback_used = EXCLUDED.fallback_used,
        feedback = CASE WHEN registry_decisions.feedback ->> 'label' IS NULL THEN registry_decisions.feedback
          ELSE registry_decisions.feedback
            || jsonb_build_object('correct', registry_decisions.feedback ->> 'label' = EXCLUDED.top_label) END`,
    params,
  );
}

/**
 * The decision log entry of a request, with its feedback if any.
 *
 * @throws DomainError REQUEST_NOT_FOUND when no record has this request id (never recorded, or pruned).
 */
export async function findDecision(db: SqlExecutor, requestId: string): Promise<DecisionRecord> {
  const { rows } = await db.query("SELECT body, feedback FROM registry_decisions WHERE request_id = $1", [requestId]);
  const row = rows[0];
  if (row === undefined) throw requestNotFound(requestId);
  return decisionFromRow(row["body"], row["feedback"]);
}

/**
 * Attaches feedback to a logged decision, replacing earlier feedback, and returns the decision with it.
 * `correct` is true when the feedback is a label equal to the record's `top_label` (false for a reward, and
 * for a record without a top label); `time` is `now`. The update commits synchronously: labels are rare
 * and precious.
 *
 * @throws DomainError REQUEST_NOT_FOUND when no record has this request id.
 */
export async function attachFeedback(
  db: SqlExecutor,
  requestId: string,
  value: FeedbackValue,
  now: Date,
): Promise<DecisionRecord> {
  const feedback = toJson(FeedbackSchema, create(FeedbackSchema, { value, time: timestampFromDate(now) }));
  const { rows } = await db.query(
    `UPDATE registry_decisions SET
        feedback = $2::jsonb || jsonb_build_object('correct', COALESCE(top_label = $3::text, false)),
        feedback_time = $4
      WHERE request_id = $1
      RETURNING body, feedback`,
    [requestId, JSON.stringify(feedback), value.case === "label" ? value.value : null, now],
  );
  const row = rows[0];
  if (row === undefined) throw requestNotFound(requestId);
  return decisionFromRow(row["body"], row["feedback"]);
}

/**
 * Deletes at most `limit` decisions whose `time` is before `cutoff`, oldest first, skipping rows another
 * transaction holds (a concurrent prune on another replica, feedback being written); returns how many it
 * deleted.
 */
export async function deleteDecisionsBefore(db: SqlExecutor, cutoff: Date, limit: number): Promise<number> {
  const { rows } = await db.query(
    `DELETE FROM registry_decisions WHERE request_id IN (
        SELECT request_id FROM registry_decisions WHERE time < $1 ORDER BY time LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING 1 AS deleted`,
    [cutoff, limit],
  );
  return rows.length;
}

/** The REQUEST_NOT_FOUND error of a request id with no logged decision (or one the caller may not see). */
export function requestNotFound(requestId: string): DomainError {
  return new DomainError(
    ErrorReason.REQUEST_NOT_FOUND,
    `no decision is logged for request "${requestId}": it was never recorded, or it is older than the decision ` +
      `log's retention`,
    { metadata: { requestId } },
  );
}
