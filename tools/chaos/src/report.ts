import type { ScenarioResult } from "./scenario-result.js";

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** One scenario as Markdown: its heading, setup, figures, invariants and timing criteria (✅ held, ❌ broken or missed). */
export function formatScenario(result: ScenarioResult): string {
  const lines = [`### ${result.id}: ${result.title}`, "", result.setup, "", "| figure | value |", "|---|---|"];
  for (const [name, value] of result.figures) lines.push(`| ${cell(name)} | ${cell(value)} |`);
  for (const i of result.invariants) lines.push(`| ${i.held ? "✅" : "❌"} ${cell(i.name)} | ${cell(i.seen)} |`);
  for (const i of result.criteria ?? []) lines.push(`| ${i.held ? "✅" : "❌"} ${cell(i.name)} (timing) | ${cell(i.seen)} |`);
  return lines.join("\n");
}

/** Every scenario's table, with a header naming when and where they were measured. */
export function formatReport(results: readonly ScenarioResult[], measuredAt: Date, machine: string): string {
  return [`## Fault figures (${measuredAt.toISOString().slice(0, 16).replace("T", " ")} UTC, ${machine})`, "", ...results.flatMap((r) => [formatScenario(r), ""])].join("\n");
}
