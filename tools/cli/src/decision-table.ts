import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { DecisionRecord } from "@modelrouter/contracts";
import { codeName } from "@modelrouter/rpc-kit";
import { formatTable } from "./table.js";

/** The columns of a decision table. */
const HEADER = ["TIME", "REQUEST", "OUTCOME", "MODEL", "POLICY", "RULE", "REVISION", "FALLBACK", "TENANT"] as const;

/** Decision log entries as a table, one row per decision in the order given. */
export function decisionTable(decisions: readonly DecisionRecord[], header = true): string[] {
  const lines = formatTable(
    HEADER,
    decisions.map((d) => [
      d.time === undefined ? "" : timestampDate(d.time).toISOString(),
      d.requestId,
      d.code === 0 ? "ok" : codeName(d.code),
      d.model === undefined ? "" : `${d.model.name}@${d.model.version}`,
      d.policy,
      d.rule,
      d.policyRevision === 0n ? "" : d.policyRevision.toString(),
      d.fallbackUsed ? "yes" : "no",
      d.tenant,
    ]),
  );
  return header ? lines : lines.slice(1);
}
