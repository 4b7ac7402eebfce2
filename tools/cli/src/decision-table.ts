import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { DecisionRecord, ShadowResult } from "@modelrouter/contracts";
import { codeName } from "@modelrouter/rpc-kit";
import { formatTable } from "./table.js";

/** The columns of a decision table. */
const HEADER = ["TIME", "REQUEST", "OUTCOME", "MODEL", "INSTANCE", "POLICY", "RULE", "REVISION", "FALLBACK", "PROPENSITY", "TENANT", "SHADOWS"] as const;

/**
 * A shadow's result in one word: `model@version=same(0.013)` when its top label was the one returned (with the
 * L1 distance of the scores when both had scores), `=differs(…)` when not, `=dropped` when it was shed, or the
 * code name of its failure.
 */
function shadowCell(shadow: ShadowResult): string {
  const model = `${shadow.model?.name ?? "?"}@${shadow.model?.version ?? "?"}`;
  if (shadow.code !== 0) return `${model}=${shadow.message.startsWith("dropped") ? "dropped" : codeName(shadow.code)}`;
  const distance = shadow.scoreDistance === undefined ? "" : `(${shadow.scoreDistance.toFixed(3)})`;
  return `${model}=${shadow.sameTopLabel ? "same" : "differs"}${distance}`;
}

/** The probability of the decision's choice to three significant digits; empty when unknown (0, an older record). */
function propensityCell(propensity: number): string {
  return propensity === 0 ? "" : String(Number(propensity.toPrecision(3)));
}

/** Decision log entries as a table, one row per decision in the order given. */
export function decisionTable(decisions: readonly DecisionRecord[], header = true): string[] {
  const lines = formatTable(
    HEADER,
    decisions.map((d) => [
      d.time === undefined ? "" : timestampDate(d.time).toISOString(),
      d.requestId,
      d.code === 0 ? "ok" : codeName(d.code),
      d.model === undefined ? "" : `${d.model.name}@${d.model.version}`,
      d.instance,
      d.policy,
      d.rule,
      d.policyRevision === 0n ? "" : d.policyRevision.toString(),
      d.fallbackUsed ? "yes" : "no",
      propensityCell(d.propensity),
      d.tenant,
      d.shadows.map(shadowCell).join(","),
    ]),
  );
  return header ? lines : lines.slice(1);
}
