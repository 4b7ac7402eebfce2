import type { LatencyPercentiles } from "../loadgen/histogram.js";
import type { MachineInfo } from "../report/machine-info.js";

/** One arm of the run: its load generator's figures. */
export interface ShadowArm {
  readonly name: "without a shadow" | "with a shadow";
  readonly achievedRate: number;
  readonly completed: number;
  readonly errors: number;
  readonly latencyUs: LatencyPercentiles;
}

/** What the decision log says of the shadowed arm's mirrored requests. */
export interface ShadowOutcomes {
  /** Decision records of the shadowed arm that were read. */
  readonly records: number;
  /** Shadows that answered. */
  readonly answered: number;
  /** Shadows dropped by the router's bound ("dropped: …"). */
  readonly dropped: number;
  /** Shadows the executor shed (RESOURCE_EXHAUSTED: no idle worker, or tasks waiting). */
  readonly shed: number;
  /** Shadows that failed otherwise. */
  readonly failed: number;
  /** Of the answered shadows: the share whose top label was the primary's. */
  readonly sameTopLabelShare: number;
  /** Of the answered shadows: the mean L1 score distance. */
  readonly meanScoreDistance: number;
  /** Of the answered shadows: the median shadow latency, ms. */
  readonly medianShadowLatencyMs: number;
}

/** The shadow benchmark's result. */
export interface ShadowBenchResult {
  readonly startedAt: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly ratePerArm: number;
  readonly warmupS: number;
  readonly durationS: number;
  readonly maxShadowsInFlight: number;
  readonly arms: readonly ShadowArm[];
  readonly outcomes: ShadowOutcomes;
  /** The machine's 1-minute load average at the end of the run (2 cores; other work shares them). */
  readonly loadAverage: number;
}

const ms = (us: number): string => (us / 1000).toFixed(2);

/** The Markdown section of a run: the setup, p50/p99/p99.9 of each arm, their difference, and the shadows' outcomes. */
export function renderShadowMarkdown(result: ShadowBenchResult): string {
  const [plain, shadowed] = [result.arms.find((a) => a.name === "without a shadow"), result.arms.find((a) => a.name === "with a shadow")];
  const lines = [
    `### Shadow run of ${result.startedAt.slice(0, 10)}`,
    "",
    `- **Machine:** ${result.machine.cores} × ${result.machine.cpuModel}, Node ${result.machine.node}.`,
    `- **Command:** \`${result.command}\`.`,
    "- **Setup:** co-located modelrouter (one process: router, analyzer, decision engine, registry on PGlite, executor with 1 worker thread), tracing off. " +
      "One policy, two rules chosen by a metadata key, identical but for the shadow: digits-general answers both; the shadowed rule mirrors every request to digits-lite.",
    `- **Load:** two load generators side by side, one per arm, each open-model Poisson at ${result.ratePerArm} req/s ` +
      `(latency from the intended send time), ${result.warmupS} s warm-up + ${result.durationS} s measured; ` +
      `MODELROUTER_SHADOW_MAX_IN_FLIGHT=${result.maxShadowsInFlight}. Load average at the end: ${result.loadAverage.toFixed(1)}.`,
    "",
    "| arm | req/s | errors | p50 ms | p99 ms | p99.9 ms |",
    "|---|---:|---:|---:|---:|---:|",
    ...result.arms.map(
      (a) => `| ${a.name} | ${a.achievedRate.toFixed(1)} | ${a.errors} | ${ms(a.latencyUs.p50)} | ${ms(a.latencyUs.p99)} | ${ms(a.latencyUs.p999)} |`,
    ),
  ];
  if (plain !== undefined && shadowed !== undefined) {
    lines.push(
      `| difference (with − without) | | | ${ms(shadowed.latencyUs.p50 - plain.latencyUs.p50)} | ${ms(shadowed.latencyUs.p99 - plain.latencyUs.p99)} | ${ms(shadowed.latencyUs.p999 - plain.latencyUs.p999)} |`,
    );
  }
  const o = result.outcomes;
  lines.push(
    "",
    `Shadows of the shadowed arm, from the decision log (${o.records} records): ${o.answered} answered, ${o.dropped} dropped by the router's bound, ` +
      `${o.shed} shed by the executor (no idle worker), ${o.failed} failed otherwise; of those answered, digits-lite's top label was digits-general's in ` +
      `${(o.sameTopLabelShare * 100).toFixed(1)} %, mean L1 score distance ${o.meanScoreDistance.toFixed(3)}, median shadow latency ${o.medianShadowLatencyMs.toFixed(2)} ms.`,
  );
  return lines.join("\n");
}
