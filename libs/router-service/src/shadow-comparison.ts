import type { Output } from "@modelrouter/contracts";
import { topLabel as best } from "./decision-records.js";

/** How a shadow's answer compares with the primary's. */
export interface ShadowComparison {
  readonly topLabel: string;
  readonly sameTopLabel: boolean;
  /** Undefined when either answer has no classification scores. */
  readonly scoreDistance: number | undefined;
}

function scores(outputs: readonly Output[]): ReadonlyMap<string, number> | undefined {
  for (const output of outputs) {
    if (output.value.case === "classification") {
      return new Map(output.value.value.labels.map((l) => [l.label, l.score]));
    }
  }
  return undefined;
}

/** The text of the first generation output (a chat model's answer), whitespace runs made one space; undefined when none. */
function generatedText(outputs: readonly Output[]): string | undefined {
  for (const output of outputs) {
    if (output.value.case === "generation") return output.value.value.text.trim().replace(/\s+/g, " ");
  }
  return undefined;
}

/**
 * Compares a shadow's outputs with the primary's, by their first classification output: the shadow's top
 * label, whether it is the primary's, and the L1 distance between the two score vectors over the union of
 * their labels (a label one answer omits counts as score 0): 0 when identical, at most 2 for two probability
 * distributions. An answer without classification scores has no distance and no top label. Two generations (chat
 * models' answers) agree (`sameTopLabel`) when their texts are the same but for whitespace.
 */
export function compareAnswers(primary: readonly Output[], shadow: readonly Output[]): ShadowComparison {
  const text = generatedText(shadow);
  if (text !== undefined) return { topLabel: "", sameTopLabel: text === generatedText(primary), scoreDistance: undefined };
  const ours = scores(primary);
  const theirs = scores(shadow);
  const topLabel = best(shadow);
  const sameTopLabel = topLabel !== "" && topLabel === best(primary);
  if (ours === undefined || theirs === undefined) return { topLabel, sameTopLabel, scoreDistance: undefined };
  let distance = 0;
  for (const [label, score] of ours) distance += Math.abs(score - (theirs.get(label) ?? 0));
  for (const [label, score] of theirs) if (!ours.has(label)) distance += Math.abs(score);
  return { topLabel, sameTopLabel, scoreDistance: distance };
}
