import type { AnalyzeResponse } from "@modelrouter/contracts";
import type { CostCase } from "./analyzer-payloads.js";

/** What one payload cost the analyzer. */
export interface CaseCost {
  readonly name: string;
  readonly description: string;
  readonly bytes: number;
  readonly medianUs: number;
  readonly p90Us: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function payloadBytes(costCase: CostCase): number {
  const kind = costCase.payload.kind;
  if (kind?.case === "image" || kind?.case === "audio") return kind.value.data?.length ?? 0;
  if (kind?.case === "text") return Buffer.byteLength(kind.value);
  return 0;
}

/** Times `calls` sequential calls on one payload after a tenth as many warm-up calls: median and p90, µs. */
export async function measureCase(
  costCase: CostCase,
  calls: number,
  analyze: (payload: CostCase["payload"]) => Promise<AnalyzeResponse>,
): Promise<CaseCost> {
  for (let i = 0; i < Math.ceil(calls / 10); i++) await analyze(costCase.payload);
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await analyze(costCase.payload);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return { name: costCase.name, description: costCase.description, bytes: payloadBytes(costCase), medianUs: quantile(times, 0.5), p90Us: quantile(times, 0.9) };
}

/** The results as the Markdown table of `docs/analyzer.md`. */
export function renderCostMarkdown(results: readonly CaseCost[], calls: number, machine: string): string {
  const rows = results.map((r) => `| \`${r.name}\` | ${r.description} | ${r.bytes === 0 ? "—" : r.bytes.toLocaleString("en")} | ${r.medianUs.toFixed(1)} | ${r.p90Us.toFixed(1)} |`);
  return [
    `Measured by \`node tools/bench/dist/analyzer-cost/main.js --write\` (${calls} sequential in-process calls per payload after warm-up; ${machine}):`,
    "",
    "| payload | what | bytes | median µs/call | p90 µs/call |",
    "|---|---|---:|---:|---:|",
    ...rows,
  ].join("\n");
}
