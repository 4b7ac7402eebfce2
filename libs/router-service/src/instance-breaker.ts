import { codeName, type RpcError } from "@modelrouter/rpc-kit";
import { createErrorWindow, type ErrorWindow } from "./instance-error-window.js";
import { instanceOutcomeOf } from "./instance-outcome.js";

/** When the breaker ejects an instance, for how long, and how many instances it may eject at once. */
export interface BreakerSettings {
  /** Ejects an instance after this many attempts in a row got no answer. */
  readonly consecutiveFailures: number;
  /** Ejects an instance when this share of its attempts (0 to 1] failed within `errorRateWindowMs`… */
  readonly errorRate: number;
  readonly errorRateWindowMs: number;
  /** …counted only once it had at least this many attempts in the window. */
  readonly errorRateMinAttempts: number;
  /** The first ejection lasts this long; the n-th `baseEjectionMs × 2^(n−1)`… */
  readonly baseEjectionMs: number;
  /** …at most this long. */
  readonly maxEjectionMs: number;
  /** The count of ejections starts again after an instance has been HEALTHY this long. */
  readonly forgetAfterMs: number;
  /** At most this share of the instances is ejected or probing at once (never every one of them). */
  readonly maxEjectedShare: number;
  /** Attempts in flight at once on a PROBING instance. */
  readonly probes: number;
}

/** The defaults: 5 failures in a row or half of at least 20 attempts in 10 s; 1 s, 2 s, 4 s … 30 s; half the instances. */
export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = {
  consecutiveFailures: 5,
  errorRate: 0.5,
  errorRateWindowMs: 10_000,
  errorRateMinAttempts: 20,
  baseEjectionMs: 1000,
  maxEjectionMs: 30_000,
  forgetAfterMs: 60_000,
  maxEjectedShare: 0.5,
  probes: 1,
};

/** An instance's circuit: HEALTHY takes requests, EJECTED takes none, PROBING takes `probes` at a time. */
export type BreakerState = "healthy" | "ejected" | "probing";

/** An instance's state and, when it is not simply healthy, why. */
export interface InstanceCondition {
  readonly state: BreakerState;
  /** Empty when HEALTHY with nothing to say. */
  readonly reason: string;
}

/** One attempt counted by the breaker, ended once with its error (undefined: it succeeded); a second end does nothing. */
export interface BreakerAttempt {
  end(error: RpcError | undefined, at: number): void;
}

/**
 * A circuit breaker per executor instance, as this router sees them (Envoy's outlier detection, on the router's
 * own attempts). Pure: every call takes the time (epoch ms); nothing runs on a timer.
 */
export interface InstanceBreaker {
  /** Whether a request may run on `instance` at `at`: HEALTHY, or PROBING with a probe free. */
  admits(instance: string, at: number): boolean;
  /** Counts an attempt on `instance` starting at `at` (on a PROBING instance, it is a probe). */
  begin(instance: string, at: number): BreakerAttempt;
  /** The state of `instance` at `at`, with the reason. */
  condition(instance: string, at: number): InstanceCondition;
}

interface Circuit {
  state: BreakerState;
  /** Incremented on every change of state: an attempt begun in an earlier one no longer counts. */
  episode: number;
  consecutive: number;
  readonly window: ErrorWindow;
  ejections: number;
  ejectedUntil: number;
  reason: string;
  healthySince: number;
  probesInFlight: number;
}

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`);

/** Told of every change of an instance's state, for example to log it. */
export type BreakerObserver = (instance: string, condition: InstanceCondition) => void;

/**
 * Creates an {@link InstanceBreaker}. An instance is ejected after `consecutiveFailures` attempts in a row got no
 * answer, or when `errorRate` of at least `errorRateMinAttempts` attempts failed within the window (what counts:
 * {@link instanceOutcomeOf}); for `baseEjectionMs × 2^(ejections − 1)`, at most `maxEjectionMs`. Then it is
 * PROBING: `probes` attempts at a time go to it; one that is answered makes it HEALTHY, one that fails ejects it
 * again for twice as long. Ejection stops at `maxEjectedShare` of the `members` (and always leaves one): a failing
 * instance past that stays HEALTHY, its reason saying so. Attempts begun before a change of state are ignored.
 * `observe` hears of every change of state.
 */
export function createInstanceBreaker(
  members: () => readonly string[],
  settings: BreakerSettings = DEFAULT_BREAKER_SETTINGS,
  observe: BreakerObserver = () => undefined,
): InstanceBreaker {
  const circuits = new Map<string, Circuit>();

  const circuitOf = (instance: string, at: number): Circuit => {
    let circuit = circuits.get(instance);
    if (circuit === undefined) {
      circuit = {
        state: "healthy",
        episode: 0,
        consecutive: 0,
        window: createErrorWindow(settings.errorRateWindowMs),
        ejections: 0,
        ejectedUntil: 0,
        reason: "",
        healthySince: at,
        probesInFlight: 0,
      };
      circuits.set(instance, circuit);
    }
    if (circuit.state === "ejected" && at >= circuit.ejectedUntil) {
      change(instance, circuit, "probing", `its ejection (${ordinal(circuit.ejections)}) ended: probed by ${settings.probes} request${settings.probes === 1 ? "" : "s"} at a time`);
    }
    if (circuit.state === "healthy" && circuit.ejections > 0 && at - circuit.healthySince >= settings.forgetAfterMs) circuit.ejections = 0;
    return circuit;
  };

  const change = (instance: string, circuit: Circuit, state: BreakerState, reason: string) => {
    circuit.state = state;
    circuit.episode += 1;
    circuit.reason = reason;
    circuit.consecutive = 0;
    circuit.probesInFlight = 0;
    circuit.window.clear();
    observe(instance, { state, reason });
  };

  const eject = (instance: string, circuit: Circuit, at: number, cause: string) => {
    circuit.ejections += 1;
    const ms = Math.min(settings.maxEjectionMs, settings.baseEjectionMs * 2 ** (circuit.ejections - 1));
    circuit.ejectedUntil = at + ms;
    change(instance, circuit, "ejected", `ejected for ${seconds(ms)} (${ordinal(circuit.ejections)} ejection): ${cause}`);
  };

  /** The instances other than `instance` that are out (EJECTED or PROBING), and how many may be. */
  const share = (instance: string, at: number) => {
    const all = members();
    const allowed = Math.min(Math.floor(settings.maxEjectedShare * all.length), all.length - 1);
    const out = all.filter((other) => other !== instance && circuitOf(other, at).state !== "healthy").length;
    return { out, allowed, total: all.length };
  };

  const tripped = (circuit: Circuit, at: number, code: string): string | undefined => {
    if (circuit.consecutive >= settings.consecutiveFailures) return `${circuit.consecutive} attempts in a row got no answer (last: ${code})`;
    const { attempts, failures } = circuit.window.totals(at);
    if (attempts >= settings.errorRateMinAttempts && failures / attempts >= settings.errorRate) {
      return `${failures} of ${attempts} attempts in ${seconds(settings.errorRateWindowMs)} got no answer (last: ${code})`;
    }
    return undefined;
  };

  const failed = (instance: string, circuit: Circuit, at: number, code: string) => {
    if (circuit.state === "probing") {
      eject(instance, circuit, at, `its probe got no answer (${code})`);
      return;
    }
    circuit.consecutive += 1;
    circuit.window.add(true, at);
    const cause = tripped(circuit, at, code);
    if (cause === undefined) return;
    const { out, allowed, total } = share(instance, at);
    if (out + 1 <= allowed) eject(instance, circuit, at, cause);
    else circuit.reason = `not ejected, ${out} of ${total} instances already are (the most the ejection share ${settings.maxEjectedShare} allows): ${cause}`;
  };

  return {
    admits(instance, at) {
      const circuit = circuitOf(instance, at);
      return circuit.state === "healthy" || (circuit.state === "probing" && circuit.probesInFlight < settings.probes);
    },
    begin(instance, at) {
      const circuit = circuitOf(instance, at);
      const episode = circuit.episode;
      const probe = circuit.state === "probing";
      if (probe) circuit.probesInFlight += 1;
      let ended = false;
      return {
        end(error, endedAt) {
          if (ended) return;
          ended = true;
          if (circuit.episode !== episode) return;
          if (probe) circuit.probesInFlight = Math.max(0, circuit.probesInFlight - 1);
          circuitOf(instance, endedAt);
          if (circuit.episode !== episode || circuit.state === "ejected") return;
          const outcome = instanceOutcomeOf(error);
          if (outcome === "failed") failed(instance, circuit, endedAt, codeName(error?.code ?? 0));
          else if (outcome === "answered") {
            if (circuit.state === "probing") {
              change(instance, circuit, "healthy", "");
              circuit.healthySince = endedAt;
              return;
            }
            circuit.consecutive = 0;
            circuit.window.add(false, endedAt);
            if (circuit.state === "healthy") circuit.reason = "";
          }
        },
      };
    },
    condition(instance, at) {
      const { state, reason } = circuitOf(instance, at);
      return { state, reason };
    },
  };
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}
