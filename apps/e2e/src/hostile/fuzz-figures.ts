import { codeName } from "@modelrouter/rpc-kit";
import type { CallOutcome, CallStatus } from "./call-outcome.js";

/** The counts a fuzz run is judged by. */
export interface FuzzFigures {
  readonly cases: number;
  /** Cases the client library would not send (not counted anywhere else). */
  readonly unsent: number;
  /** Statuses received (a tunnel case has one per carried call besides its own), by code name. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly internal: number;
  readonly unknown: number;
  /** Streams reset or connections broken instead of answered. */
  readonly resets: number;
  readonly goaways: number;
  /** Cases with no answer within the guard time. */
  readonly hung: number;
  /** Answered HTTP 200 with no status at all (a gRPC protocol violation). */
  readonly noStatus: number;
  readonly invalidArgument: number;
  /** INVALID_ARGUMENT answers without a BadRequest violation naming a field. */
  readonly unnamedInvalidArgument: number;
  /** What the bad answers were, grouped (INTERNAL and UNKNOWN by message, resets by reason), most frequent first. */
  readonly badAnswers: Readonly<Record<string, number>>;
}

/** The cases behind each bad figure, described for a failure message. */
export interface FuzzOffenders {
  readonly internalOrUnknown: readonly string[];
  readonly resets: readonly string[];
  readonly hung: readonly string[];
  readonly noStatus: readonly string[];
  readonly unnamedInvalidArgument: readonly string[];
}

const namesAField = (status: CallStatus): boolean => (status.violations ?? []).some((v) => v.field.trim() !== "");

function describe(outcome: CallOutcome, status?: CallStatus): string {
  const answer = status === undefined ? (outcome.reset ?? (outcome.hung ? "no answer" : `HTTP ${outcome.httpStatus ?? "?"}, no status`)) : `${codeName(status.code)} "${status.message.slice(0, 160)}"`;
  return `[${outcome.caseId}] ${outcome.target} ${outcome.path.slice(0, 80)} ${outcome.family}: ${outcome.note} -> ${answer}`;
}

/** Counts what came back and lists the offending cases. */
export function fuzzFigures(outcomes: readonly CallOutcome[]): { figures: FuzzFigures; offenders: FuzzOffenders } {
  const statuses: Record<string, number> = {};
  const offenders = { internalOrUnknown: [] as string[], resets: [] as string[], hung: [] as string[], noStatus: [] as string[], unnamedInvalidArgument: [] as string[] };
  let internal = 0;
  let unknown = 0;
  let goaways = 0;
  let invalidArgument = 0;
  const badAnswers: Record<string, number> = {};
  const count = (what: string): void => {
    const key = what.replace(/\d+/g, "#").slice(0, 120);
    badAnswers[key] = (badAnswers[key] ?? 0) + 1;
  };
  for (const outcome of outcomes) {
    if (outcome.goaway) {
      goaways += 1;
      offenders.resets.push(`${describe(outcome, outcome.status)} (GOAWAY)`);
    }
    if (outcome.goaway) count("GOAWAY");
    if (outcome.reset !== undefined) {
      offenders.resets.push(describe(outcome));
      count(outcome.reset);
    }
    if (outcome.hung) offenders.hung.push(describe(outcome));
    if (outcome.status === undefined && outcome.reset === undefined && !outcome.hung && outcome.httpStatus === 200) offenders.noStatus.push(describe(outcome));
    for (const status of [...(outcome.status === undefined ? [] : [outcome.status]), ...outcome.innerStatuses]) {
      const name = codeName(status.code);
      statuses[name] = (statuses[name] ?? 0) + 1;
      if (status.code === 13) internal += 1;
      if (status.code === 2) unknown += 1;
      if (status.code === 13 || status.code === 2 || status.code < 0) {
        offenders.internalOrUnknown.push(describe(outcome, status));
        count(`${codeName(status.code)} "${status.message}"`);
      }
      if (status.code === 3) {
        invalidArgument += 1;
        if (!namesAField(status)) offenders.unnamedInvalidArgument.push(describe(outcome, status));
      }
    }
  }
  return {
    figures: {
      cases: outcomes.length,
      unsent: outcomes.filter((o) => o.unsent !== undefined).length,
      statuses,
      internal,
      unknown,
      resets: offenders.resets.length - goaways,
      goaways,
      hung: offenders.hung.length,
      noStatus: offenders.noStatus.length,
      invalidArgument,
      unnamedInvalidArgument: offenders.unnamedInvalidArgument.length,
      badAnswers: Object.fromEntries(Object.entries(badAnswers).sort((a, b) => b[1] - a[1])),
    },
    offenders,
  };
}

/** A few lines for the test log. */
export function formatFigures(title: string, seed: number, figures: FuzzFigures): string {
  const codes = Object.entries(figures.statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
  return [
    `${title} (seed ${seed}, replay with HOSTILE_SEED=${seed}): ${figures.cases} cases (${figures.unsent} the client would not send)`,
    `  statuses: ${codes}`,
    `  INTERNAL ${figures.internal}, UNKNOWN ${figures.unknown}, resets ${figures.resets}, GOAWAYs ${figures.goaways}, no answer ${figures.hung}, no status ${figures.noStatus}`,
    `  INVALID_ARGUMENT ${figures.invalidArgument}, of which naming no field ${figures.unnamedInvalidArgument}`,
    ...Object.entries(figures.badAnswers)
      .slice(0, 8)
      .map(([what, n]) => `  ${n} × ${what}`),
  ].join("\n");
}
