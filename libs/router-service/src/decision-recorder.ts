import type { Context } from "@opentelemetry/api";
import type { DecisionRecord, RegistryService, ShadowResult } from "@modelrouter/contracts";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";

/** Options of {@link createDecisionRecorder}. */
export interface DecisionRecorderOptions {
  readonly registry: ServiceClient<typeof RegistryService>;
  readonly logger: Logger;
  /** The fraction of requests recorded, 0 to 1. */
  readonly sampleRate: number;
  /** Records being written at once; more are dropped (and counted) rather than queued without bound. */
  readonly maxInFlight: number;
  /** The deadline of one RecordDecision call, in ms. */
  readonly timeoutMs: number;
  readonly random: () => number;
}

/** Counters of a {@link DecisionRecorder}. */
export interface RecorderStats {
  readonly recorded: number;
  readonly dropped: number;
  readonly failed: number;
}

/**
 * Writes each answered request's {@link DecisionRecord} to the registry's decision log, after the answer and
 * off its critical path, but within the request's trace. Writes are bounded: beyond `maxInFlight` a record
 * is dropped and counted. A write that fails is logged (at most once a minute) and counted; it never fails
 * the request.
 */
export interface DecisionRecorder {
  /**
   * Records `decision`; the write's span goes under `traceContext` (the request's). With `shadows`, the
   * write waits for them (they settle within their own bounded deadlines) and records their results; the
   * request is settled (see `settled`) only once it is written.
   */
  record(decision: DecisionRecord, traceContext?: Context, shadows?: Promise<readonly ShadowResult[]>): void;
  /** Waits until the record of `requestId`, if one is being written by this router, is written (or failed). */
  settled(requestId: string): Promise<void>;
  stats(): RecorderStats;
  /** Waits for the records being written. */
  close(): Promise<void>;
}

/** Creates a {@link DecisionRecorder}. */
export function createDecisionRecorder(options: DecisionRecorderOptions): DecisionRecorder {
  const pending = new Map<string, Promise<void>>();
  let recorded = 0;
  let dropped = 0;
  let failed = 0;
  let lastWarning = 0;

  return {
    record(decision, traceContext, shadows) {
      if (options.sampleRate < 1 && options.random() >= options.sampleRate) return;
      if (pending.size >= options.maxInFlight) {
        dropped += 1;
        return;
      }
      const complete = shadows === undefined ? Promise.resolve(decision) : shadows.then((results) => ({ ...decision, shadows: [...results] }));
      const write = complete
        .then((record) =>
          options.registry.recordDecision({ decision: record }, { timeoutMs: options.timeoutMs, ...(traceContext === undefined ? {} : { traceContext }) }),
        )
        .then(
          () => {
            recorded += 1;
          },
          (error: unknown) => {
            failed += 1;
            const now = Date.now();
            if (now - lastWarning > 60_000) {
              lastWarning = now;
              options.logger.warn("could not record a decision (feedback for it will not be found)", {
                requestId: decision.requestId,
                error,
                failedSoFar: failed,
              });
            }
          },
        )
        .finally(() => pending.delete(decision.requestId));
      pending.set(decision.requestId, write);
    },
    async settled(requestId) {
      await pending.get(requestId);
    },
    stats: () => ({ recorded, dropped, failed }),
    async close() {
      await Promise.all(pending.values());
    },
  };
}

/** Told of each routed request's decision record as it is handed to the recorder (every one, before sampling), and of its shadows' results once they settle. */
export type DecisionObserver = (decision: DecisionRecord, shadows?: Promise<readonly ShadowResult[]>) => void;

/** `recorder`, telling `observe` (metrics) of every decision it is given; `recorder` itself without one. */
export function observedRecorder(recorder: DecisionRecorder, observe: DecisionObserver | undefined): DecisionRecorder {
  if (observe === undefined) return recorder;
  return {
    record(decision, traceContext, shadows) {
      observe(decision, shadows);
      recorder.record(decision, traceContext, shadows);
    },
    settled: (requestId) => recorder.settled(requestId),
    stats: () => recorder.stats(),
    close: () => recorder.close(),
  };
}
