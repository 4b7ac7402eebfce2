import { ExperimentMetric, type DecisionRecord } from "@modelrouter/contracts";
import type { RegistryStore } from "../store/registry-store.js";
import type { DecisionKey } from "../store/decision-query.js";
import type { EvaluatedMetric } from "./evaluate-policy-request.js";

/** A logged decision off-policy evaluation can use, with its metric. */
export interface UsableDecision {
  readonly record: DecisionRecord;
  /** 1/0 for a correct/wrong label, or the reward. */
  readonly reward: number;
}

/** What {@link readLoggedDecisions} read, and what it passed over. */
export interface LoggedDecisions {
  readonly usable: UsableDecision[];
  /** Decisions with the metric and a propensity, but logged without `input` (before routers recorded it). */
  readonly withoutInput: number;
  /** Decisions with the metric but no propensity (0: logged before routers recorded it). */
  readonly withoutPropensity: number;
  /** Why reading stopped before the window's end: the decision limit, the scan limit, or the deadline. */
  readonly stoppedBy: "limit" | "scan" | "deadline" | undefined;
}

/** Options of {@link readLoggedDecisions}. */
export interface ReadOptions {
  readonly since: Date;
  readonly metric: EvaluatedMetric;
  /** At most this many usable decisions. */
  readonly maxDecisions: number;
  /** At most this many rows read (most decisions have no feedback). */
  readonly maxScanned: number;
  /** True when reading must stop (the call's deadline is near). */
  readonly mustStop: () => boolean;
  readonly signal: AbortSignal;
}

const PAGE_SIZE = 1_000;

/**
 * The window's logged decisions that off-policy evaluation can use, newest first: answered (code 0) by the decided
 * target (no fallback), so that the logged model is the logged action; with the metric (label feedback for
 * accuracy, 1 when correct; reward feedback for reward), a positive propensity and the `input` the policies saw.
 * Reads pages of ListDecisions' query until the window ends, `maxDecisions` are usable, `maxScanned` rows were
 * read, or `mustStop()`.
 */
export async function readLoggedDecisions(store: RegistryStore, options: ReadOptions): Promise<LoggedDecisions> {
  const usable: UsableDecision[] = [];
  let withoutInput = 0;
  let withoutPropensity = 0;
  let scanned = 0;
  let after: DecisionKey | undefined;
  for (;;) {
    options.signal.throwIfAborted();
    if (options.mustStop()) return { usable, withoutInput, withoutPropensity, stoppedBy: "deadline" };
    const page = await store.listDecisions(
      { startTime: options.since, code: 0, fallbackUsed: false },
      after === undefined ? { size: PAGE_SIZE } : { size: PAGE_SIZE, after },
    );
    for (const record of page.items) {
      scanned++;
      const reward = metricOf(record, options.metric);
      if (reward === undefined || record.model === undefined || record.fallbackUsed) continue;
      if (!(record.propensity > 0)) withoutPropensity++;
      else if (record.input === undefined) withoutInput++;
      else {
        usable.push({ record, reward });
        if (usable.length >= options.maxDecisions) return { usable, withoutInput, withoutPropensity, stoppedBy: "limit" };
      }
    }
    after = page.nextAfter;
    if (after === undefined) return { usable, withoutInput, withoutPropensity, stoppedBy: undefined };
    if (scanned >= options.maxScanned) return { usable, withoutInput, withoutPropensity, stoppedBy: "scan" };
  }
}

/** The decision's metric: 1/0 for label feedback (accuracy), the reward (reward); undefined without it. */
function metricOf(record: DecisionRecord, metric: EvaluatedMetric): number | undefined {
  const value = record.feedback?.value;
  if (metric === ExperimentMetric.ACCURACY) return value?.case === "label" ? (record.feedback?.correct === true ? 1 : 0) : undefined;
  return value?.case === "reward" && Number.isFinite(value.value) ? value.value : undefined;
}
