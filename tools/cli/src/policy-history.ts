import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { PolicyRevision } from "@modelrouter/contracts";
import { applyPolicies } from "./apply-policies.js";
import type { Connection } from "./connection.js";
import type { Io } from "./io.js";
import { formatTable } from "./table.js";

/** A policy's revisions as a table, newest first: revision, when, who applied it, digest. */
export function revisionTable(revisions: readonly PolicyRevision[]): string[] {
  return formatTable(
    ["REVISION", "APPLIED", "BY", "DIGEST"],
    revisions.map((r) => [r.revision.toString(), r.time === undefined ? "" : timestampDate(r.time).toISOString(), r.appliedBy, r.digest]),
  );
}

/** Every kept revision of a policy (also of a deleted one), as {@link revisionTable}. */
export async function policyHistory(name: string, connection: Connection): Promise<string[]> {
  const revisions: PolicyRevision[] = [];
  let pageToken = "";
  do {
    const page = await connection.registry.listPolicyRevisions({ name, pageSize: 500, pageToken });
    revisions.push(...page.revisions);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return revisionTable(revisions);
}

/**
 * Rolls a policy back: reads its body at `revision` and applies it again, as a new revision (reported like
 * `policies apply`). Returns how many applies failed (0 or 1).
 */
export async function rollbackPolicy(name: string, revision: bigint, connection: Connection, io: Io): Promise<number> {
  const { policy } = await connection.registry.getPolicy({ name, revision });
  if (policy === undefined) throw new Error(`the registry returned no body for revision ${revision} of policy "${name}"`);
  io.err(`rolling policy ${name} back to the body of revision ${revision}`);
  return applyPolicies([policy], connection, io);
}
