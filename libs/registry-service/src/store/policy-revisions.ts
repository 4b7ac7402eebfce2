import { createHash } from "node:crypto";
import { clone, fromJson, toJson, toJsonString, type JsonValue } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { PolicySchema, type Policy } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import type { SqlExecutor } from "../storage/sql-database.js";
import type { Page, PageRequest } from "./page.js";

/** How many revisions of one policy the registry keeps by default; older ones are pruned. */
export const DEFAULT_POLICY_REVISIONS_KEPT = 50;

/** One kept revision of a policy, as ListPolicyRevisions lists it. */
export interface PolicyRevisionEntry {
  readonly revision: bigint;
  readonly time: Timestamp;
  readonly appliedBy: string;
  readonly digest: string;
}

/**
 * The short digest of a policy's content: the first 12 hex digits of the SHA-256 of its protobuf JSON
 * without the output-only fields (revision, create and update times). Equal digests, equal bodies.
 */
export function policyDigest(policy: Policy): string {
  const content = clone(PolicySchema, policy);
  content.revision = 0n;
  content.createTime = undefined;
  content.updateTime = undefined;
  return createHash("sha256").update(toJsonString(PolicySchema, content)).digest("hex").slice(0, 12);
}

/**
 * Keeps a stored policy (its `revision` and `updateTime` set) as a revision, in the transaction that stored
 * it, and prunes that policy's revisions beyond the newest `kept`.
 */
export async function keepPolicyRevision(tx: SqlExecutor, policy: Policy, appliedBy: string, kept: number): Promise<void> {
  await tx.query(
    `INSERT INTO registry_policy_revisions (name, revision, apply_time, applied_by, digest, body)
      VALUES ($1, $2::bigint, $3, $4, $5, $6::jsonb)`,
    [
      policy.name,
      policy.revision.toString(),
      policy.updateTime === undefined ? new Date() : timestampDate(policy.updateTime),
      appliedBy,
      policyDigest(policy),
      JSON.stringify(toJson(PolicySchema, policy)),
    ],
  );
  await tx.query(
    `DELETE FROM registry_policy_revisions WHERE name = $1 AND revision < (
        SELECT min(revision) FROM (
          SELECT revision FROM registry_policy_revisions WHERE name = $1 ORDER BY revision DESC LIMIT $2) AS newest)`,
    [policy.name, kept],
  );
}

/**
 * The body of a policy as applied at `revision`, also of a deleted policy.
 *
 * @throws DomainError POLICY_NOT_FOUND naming the revision when it is not a kept revision of the policy.
 */
export async function findPolicyRevision(db: SqlExecutor, name: string, revision: bigint): Promise<Policy> {
  const { rows } = await db.query("SELECT body FROM registry_policy_revisions WHERE name = $1 AND revision = $2::bigint", [
    name,
    revision.toString(),
  ]);
  if (rows[0] === undefined) {
    throw new DomainError(
      ErrorReason.POLICY_NOT_FOUND,
      `policy "${name}" has no revision ${revision}: list its revisions with ListPolicyRevisions ` +
        `(modelrouter policies history ${name}); older ones are pruned`,
      { metadata: { name, revision: revision.toString(), field: "revision" } },
    );
  }
  return fromJson(PolicySchema, rows[0]["body"] as JsonValue, { ignoreUnknownFields: true });
}

/**
 * A page of a policy's kept revisions, newest first.
 *
 * @throws DomainError POLICY_NOT_FOUND when the policy has no revision at all (never applied).
 */
export async function queryPolicyRevisions(
  db: SqlExecutor,
  name: string,
  page: PageRequest<string>,
): Promise<Page<PolicyRevisionEntry, string>> {
  const { rows } = await db.query(
    `SELECT revision::text AS revision, apply_time, applied_by, digest, CASE WHEN digest = '' THEN body END AS body
      FROM registry_policy_revisions
      WHERE name = $1 AND ($2::bigint IS NULL OR revision < $2::bigint)
      ORDER BY revision DESC LIMIT $3`,
    [name, page.after ?? null, page.size + 1],
  );
  if (rows.length === 0 && page.after === undefined) {
    throw new DomainError(ErrorReason.POLICY_NOT_FOUND, `policy "${name}" has no revisions: it was never applied`, {
      metadata: { name },
    });
  }
  const items = rows.slice(0, page.size).map(
    (row): PolicyRevisionEntry => ({
      revision: BigInt(String(row["revision"])),
      time: timestampFromDate(new Date(row["apply_time"] as string | Date)),
      appliedBy: String(row["applied_by"]),
      digest:
        row["digest"] === ""
          ? policyDigest(fromJson(PolicySchema, row["body"] as JsonValue, { ignoreUnknownFields: true }))
          : String(row["digest"]),
    }),
  );
  const last = items[items.length - 1];
  if (rows.length <= page.size || last === undefined) return { items };
  return { items, nextAfter: last.revision.toString() };
}
