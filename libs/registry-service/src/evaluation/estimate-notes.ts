import { CHOICE_DRAWS, type OffPolicyEstimate } from "@modelrouter/policy";
import type { LoggedDecisions } from "./logged-decisions.js";
import type { Replay } from "./replay-decisions.js";

/** Below this effective sample size the interval is flagged as unreliable. */
export const SMALL_EFFECTIVE_SAMPLE = 30;

/** What {@link estimateNotes} explains. */
export interface NoteSources {
  readonly estimate: OffPolicyEstimate;
  readonly logged: LoggedDecisions;
  readonly replay: Replay;
  readonly maxDecisions: number;
}

const percent = (share: number): string => `${(100 * share).toFixed(1)} %`;

/**
 * The notes of a PolicyEstimate, for people: how the policy was evaluated (alone), what was passed over (records
 * without `input` or a propensity), where it was cut short, and how far to trust the figures (decisions sent to
 * models never logged, a small effective sample size, probabilities found by sampling).
 */
export function estimateNotes({ estimate, logged, replay, maxDecisions }: NoteSources): string[] {
  const notes = [
    "the policy was evaluated alone (as the only policy, the applied ones not consulted), against the registered " +
      "models, ranking candidates by their declared metrics; only decisions answered by their decided target count",
  ];
  if (estimate.decisions === 0) {
    notes.push(
      "no logged decision in the window has this metric's feedback, a propensity and the input the policies saw: " +
        "send feedback (modelrouter feedback) on routed requests, or widen the window",
    );
  }
  if (logged.withoutInput > 0) {
    notes.push(`${logged.withoutInput} decisions were skipped: logged without the input the policies saw (by a router that predates it)`);
  }
  if (logged.withoutPropensity > 0) {
    notes.push(`${logged.withoutPropensity} decisions were skipped: logged without a propensity (by a router that predates it)`);
  }
  if (logged.stoppedBy === "limit") notes.push(`the newest ${maxDecisions} usable decisions were read (max_decisions); older ones were not`);
  if (logged.stoppedBy === "scan") notes.push("reading stopped after 1,000,000 logged decisions; shorten the window to evaluate older traffic");
  if (logged.stoppedBy === "deadline" || replay.stopped) {
    notes.push(`the call's deadline stopped the work after ${estimate.decisions} decisions: give the call more time (the CLI's --timeout) to read the whole window`);
  }
  if (replay.methods.undecided > 0) {
    notes.push(
      `the policy decides no model for ${replay.methods.undecided} decisions (no rule matches and no default route, or no servable ` +
        "model): they count as 0 in IPS and the doubly robust estimate and are outside the self-normalised one",
    );
  }
  if (estimate.unsupportedActions.length > 0) {
    notes.push(
      `${percent(estimate.unsupportedShare)} of the policy's choices go to models never logged in the window ` +
        `(${estimate.unsupportedActions.join(", ")}): no decision supports them, so IPS and the self-normalised ` +
        "estimate cover only its choices of logged models, and the doubly robust one guesses them with the logged mean",
    );
  }
  if (estimate.decisions > 0 && estimate.effectiveSampleSize < SMALL_EFFECTIVE_SAMPLE) {
    notes.push(
      `the effective sample size is ${estimate.effectiveSampleSize.toFixed(1)}: too few logged decisions agree with the policy for ` +
        "a reliable interval; widen the window or log more traffic with exploration (a weighted split)",
    );
  }
  if (replay.methods.sampled > 0) {
    notes.push(`for ${replay.methods.sampled} decisions the policy's probabilities were estimated from ${CHOICE_DRAWS} seeded draws`);
  }
  return notes;
}
