import type { TimingSummary } from "./block-timing.js";

/** Issue 9's targets for the pure evaluator on one core. */
export const EVALUATOR_TARGETS = { decisionsPerSecond: 200_000, p99Us: 20 } as const;

/** The measured figures of one fixture variant. */
export interface VariantResult {
  /** Which rule decides ("first" or "last" of the 20) and whether the decision is explained. */
  readonly variant: string;
  /** Median over the repetitions. */
  readonly median: TimingSummary;
  /** Every repetition's figures. */
  readonly repetitions: readonly TimingSummary[];
}

function againstTarget(value: number, target: number, higherIsBetter: boolean): string {
  const meets = higherIsBetter ? value >= target : value <= target;
  if (meets) return "meets";
  return higherIsBetter ? `misses: ${(target / value).toFixed(1)}× too few` : `misses: ${(value / target).toFixed(1)}× too long`;
}

/** The markdown table of the results with the targets, the command, the machine and the date. */
export function renderEvaluatorMarkdown(
  results: readonly VariantResult[],
  setting: { command: string; machine: string; date: string; blocks: number; blockSize: number; repetitions: number },
): string {
  const rows = results.map((r) => {
    const rate = Math.round(r.median.callsPerSecond);
    return `| ${r.variant} | ${rate.toLocaleString("en-US")} (${againstTarget(rate, EVALUATOR_TARGETS.decisionsPerSecond, true)}) | ${r.median.p50Us.toFixed(2)} | ${r.median.p99Us.toFixed(2)} (${againstTarget(r.median.p99Us, EVALUATOR_TARGETS.p99Us, false)}) |`;
  });
  return [
    `- **Command:** \`${setting.command}\`.`,
    `- **Machine:** ${setting.machine}. **Date:** ${setting.date}.`,
    `- ${setting.blocks} blocks of ${setting.blockSize} decisions per repetition after a warm-up; p50/p99 of the block means; median of ${setting.repetitions} repetitions.`,
    "",
    `| variant | decisions/s (target ≥ ${EVALUATOR_TARGETS.decisionsPerSecond.toLocaleString("en-US")}) | p50 µs | p99 µs (target ≤ ${EVALUATOR_TARGETS.p99Us}) |`,
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}
