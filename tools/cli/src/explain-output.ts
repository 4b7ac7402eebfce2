import {
  CandidateRole,
  type CandidateEvaluation,
  type ExplainResponse,
  InstanceHealth,
  type InstanceStatus,
  Modality,
  type PolicyEvaluation,
  type RoutingDecision,
} from "@modelrouter/contracts";
import { formatTable } from "./table.js";

const label = (model: { name: string; version: string } | undefined): string =>
  model === undefined ? "" : model.version === "" ? model.name : `${model.name}@${model.version}`;

const enumWord = (names: Record<number, string>, value: number): string => (names[value] ?? String(value)).toLowerCase().replace(/_/g, " ");

function score(value: number | undefined): string {
  return value === undefined ? "" : String(Number(value.toPrecision(4)));
}

function decider(decision: RoutingDecision): string {
  const revision = decision.policyRevision === 0n ? "revision 0, a draft" : `revision ${decision.policyRevision}`;
  const rule = decision.rule === "" ? "default route" : `rule "${decision.rule}"`;
  return `policy "${decision.policy}" (${revision}), ${rule}`;
}

function heading(response: ExplainResponse): string[] {
  const decision = response.decision;
  const explanation = decision?.explanation;
  const rows: [string, string][] = [
    ["decision", `${label(decision?.target?.model)} by ${decision === undefined ? "no policy" : decider(decision)}`],
    ["fallbacks", (decision?.fallbacks ?? []).map((f) => label(f.model)).join(", ")],
    ["shadows", (decision?.shadows ?? []).map((s) => label(s.model)).join(", ")],
    ["split key", explanation?.splitKey ?? ""],
    ["propensity", decision === undefined || !(decision.propensity > 0 && decision.propensity < 1) ? "" : `${Number(decision.propensity.toPrecision(3))} (the chance the strategy chose this target)`],
    ["summary", explanation?.summary ?? ""],
    ["input", response.profile === undefined ? "" : `${enumWord(Modality, response.profile.modality)} ${response.profile.mimeType}`.trim()],
    ["trace", response.traceId],
  ];
  return rows.filter(([, value]) => value !== "").map(([key, value]) => `${key.padEnd(10)} ${value}`);
}

/** The candidates as a table: model, role, score, metric, and the reason (or the constraint that failed). */
export function candidateTable(candidates: readonly CandidateEvaluation[]): string[] {
  return formatTable(
    ["CANDIDATE", "ROLE", "SCORE", "METRIC", "REASON"],
    candidates.map((c) => [
      label(c.model),
      enumWord(CandidateRole, c.role),
      score(c.score),
      c.metric,
      c.reason !== "" ? c.reason : c.failedConstraint === "" ? "" : `fails ${c.failedConstraint}`,
    ]),
  );
}

/** The policies and rules evaluated, in order, one row per rule: matched, no match, or the error. */
export function evaluationTable(policies: readonly PolicyEvaluation[]): string[] {
  const rows: string[][] = [];
  for (const policy of policies) {
    if (!policy.applies) {
      rows.push([policy.policy, "", policy.note]);
      continue;
    }
    for (const rule of policy.rules) {
      const result = rule.matched ? (policy.decided ? "matched, decided" : "matched") : rule.error !== "" ? `failed: ${rule.error}` : "no match";
      rows.push([policy.policy, rule.rule, result]);
    }
    if (policy.decided && !policy.rules.some((r) => r.matched)) rows.push([policy.policy, "(default route)", "decided"]);
    if (!policy.decided && policy.note !== "") rows.push([policy.policy, "", policy.note]);
  }
  return formatTable(["POLICY", "RULE", "RESULT"], rows);
}

/** The executor instances as the router sees them: address, health, requests in flight, and why it is not healthy. */
export function instanceTable(instances: readonly InstanceStatus[]): string[] {
  return formatTable(
    ["INSTANCE", "HEALTH", "IN FLIGHT", "REASON"],
    instances.map((i) => [i.instance === "" ? "(in-process)" : i.instance, enumWord(InstanceHealth, i.health), String(i.inFlight), i.reason]),
  );
}

/**
 * An ExplainResponse for people: the decision (target, deciding policy with its revision, rule, fallbacks,
 * shadows, split key, propensity, summary, input, trace), a blank line, the candidates table, a blank line, the
 * policies and rules evaluated, and, when the router reports them, a blank line and its executor instances.
 */
export function explainLines(response: ExplainResponse): string[] {
  const explanation = response.decision?.explanation;
  const instances = response.instances.length === 0 ? [] : ["", ...instanceTable(response.instances)];
  return [...heading(response), "", ...candidateTable(explanation?.candidates ?? []), "", ...evaluationTable(explanation?.policies ?? []), ...instances];
}
