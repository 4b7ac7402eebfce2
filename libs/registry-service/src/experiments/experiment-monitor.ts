import { isDomainError, ErrorReason } from "@modelrouter/errors";
import type { Logger } from "@modelrouter/telemetry";
import { applyPolicy } from "../policies/apply-policy.js";
import type { RegistryStore } from "../store/registry-store.js";
import { concludeExperiment } from "./experiment-conclusion.js";
import { lookKey, lookWithMemory, type ExperimentLook, type PValueMemory } from "./experiment-status.js";
import { experimentRoutes, storedPolicies } from "./running-experiments.js";

/** The environment variable that sets how often the registry looks at running experiments; 0 turns it off. */
export const EXPERIMENT_INTERVAL_SETTING = "MODELROUTER_EXPERIMENT_INTERVAL";
/** How often the registry looks at running experiments by default, in ms. */
export const DEFAULT_EXPERIMENT_INTERVAL_MS = 10_000;

/** Options of {@link createExperimentMonitor}. */
export interface ExperimentMonitorOptions {
  readonly store: RegistryStore;
  readonly logger: Logger;
  /** How often to look, in ms; 0: never in the background (`lookOnce` still works). */
  readonly intervalMs: number;
  /** The longest one look at all experiments may take before it is abandoned, in ms; default the interval, at least 30 s. */
  readonly lookTimeoutMs?: number;
}

/** What one look did to one experiment. */
export interface ExperimentStep {
  readonly policy: string;
  readonly rule: string;
  readonly name: string;
  /** "undecided", a verdict written ("promoted", "rolled back") with its revision, or "conflict" (someone else wrote first). */
  readonly result: "undecided" | "promoted" | "rolled back" | "conflict";
  readonly revision?: bigint;
}

/** The registry's experiment monitor. */
export interface ExperimentMonitor {
  /** Looks at every running experiment once, writing the verdicts reached. */
  lookOnce(signal?: AbortSignal): Promise<ExperimentStep[]>;
  /** The running p-values of the experiments looked at, for ListExperiments. */
  readonly memory: PValueMemory;
  /** Stops the background loop, abandoning a look under way; resolves when it has stopped. */
  stop(): Promise<void>;
}

async function writeVerdict(store: RegistryStore, look: ExperimentLook, logger: Logger, now: Date): Promise<ExperimentStep> {
  const { policy, route } = look;
  const decision = look.assessment.decision;
  const step = { policy: policy.name, rule: route.rule, name: route.settings.name };
  if (decision.kind === "undecided") return { ...step, result: "undecided" };
  const next = concludeExperiment(policy, route.ruleIndex, {
    verdict: decision.kind,
    challenger: decision.challenger,
    reason: decision.reason,
    pValue: decision.pValue,
    effect: decision.effect,
    arms: look.arms,
    models: look.models,
    time: now,
  });
  try {
    const written = await applyPolicy(store, {
      policy: next,
      expectedRevision: policy.revision,
      validateOnly: false,
      appliedBy: `experiment:${route.settings.name}`,
      actor: { subject: `experiment:${route.settings.name}`, tenant: "" },
    });
    const result = decision.kind === "promote" ? "promoted" : "rolled back";
    logger.info(`experiment ${result}`, {
      experiment: route.settings.name,
      policy: policy.name,
      rule: route.rule,
      challenger: look.arms[decision.challenger]?.label,
      reason: decision.reason,
      fromRevision: policy.revision,
      revision: written.policy.revision,
    });
    return { ...step, result, revision: written.policy.revision };
  } catch (error) {
    if (isDomainError(error) && error.reason === ErrorReason.REVISION_CONFLICT) {
      logger.info("experiment verdict skipped: the policy changed meanwhile", { experiment: route.settings.name, policy: policy.name });
      return { ...step, result: "conflict" };
    }
    throw error;
  }
}

/**
 * Creates the monitor of running experiments: every `intervalMs` it reads each stored policy's running
 * experiments' arms from the decision log (the decisions of that policy, rule and current revision), runs the
 * sequential test (keeping each experiment's running p-values in memory), and writes a verdict as a new
 * revision of the policy through the normal apply path, with the revision it read as the expected one (so that
 * of two registries, or a registry and a user, only one writes; a conflict is skipped), applied by
 * "experiment:<name>". Looks never overlap; each is abandoned after `lookTimeoutMs`; a failed look is logged
 * and the next one tries again.
 */
export function createExperimentMonitor(options: ExperimentMonitorOptions): ExperimentMonitor {
  const { store, intervalMs } = options;
  const logger = options.logger.child({ component: "experiment-monitor" });
  const lookTimeoutMs = options.lookTimeoutMs ?? Math.max(intervalMs, 30_000);
  const memory: PValueMemory = new Map();
  const stopped = new AbortController();

  const lookOnce = async (signal?: AbortSignal): Promise<ExperimentStep[]> => {
    const steps: ExperimentStep[] = [];
    const live = new Set<string>();
    for (const policy of await storedPolicies(store)) {
      for (const route of experimentRoutes(policy)) {
        if (!route.running) continue;
        signal?.throwIfAborted();
        const look = await lookWithMemory(store, policy, route, memory, signal);
        live.add(lookKey(policy, route));
        steps.push(await writeVerdict(store, look, logger, store.now()));
      }
    }
    for (const key of memory.keys()) if (!live.has(key)) memory.delete(key);
    return steps;
  };

  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (stopped.signal.aborted || intervalMs <= 0) return;
    timer = setTimeout(() => {
      const signal = AbortSignal.any([stopped.signal, AbortSignal.timeout(lookTimeoutMs)]);
      running = lookOnce(signal)
        .then(() => undefined)
        .catch((error: unknown) => {
          if (!stopped.signal.aborted) logger.warn("experiment look failed; the next look tries again", { error: String(error) });
        })
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    lookOnce,
    memory,
    async stop() {
      stopped.abort();
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
