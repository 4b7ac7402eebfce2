import type { RouteStrategy, StrategyCandidate, StrategyChoice } from "./route-strategy.js";
import { stableUnit } from "./stable-hash.js";
import { type StickyKey, splitKeyName, stickyKeyName, stickyKeyValue } from "./sticky-key.js";

/** The configuration of a weighted route, checked at compile time. */
export interface WeightedConfig {
  /** Each target's weight (greater than 0), by the target's path ("rules[0].route.targets[1]"). */
  readonly weights: ReadonlyMap<string, number>;
  /** What keeps a request on its arm; undefined: every request is split at random. */
  readonly stickyKey: StickyKey | undefined;
}

function share(weight: number, total: number): string {
  return `weight ${weight} of ${total}, ${((100 * weight) / total).toFixed(1)} %`;
}

/**
 * The arm of a keyed request by weighted rendezvous (highest-random-weight) hashing: each candidate scores
 * -ln(u) / weight, u a stable hash of the key and the candidate's model name, and the lowest score wins.
 * A candidate wins with probability weight / total over keys, and a change of weights moves only the keys
 * whose winner changes, about the share of traffic that moved.
 */
function rendezvous(key: string, candidates: readonly StrategyCandidate[], weights: readonly number[]): number {
  let best = 0;
  let bestScore = Number.POSITIVE_INFINITY;
  candidates.forEach((candidate, index) => {
    const weight = weights[index] ?? 0;
    if (!(weight > 0)) return;
    const score = -Math.log(stableUnit(`${key}\u0000${candidate.model.name}`)) / weight;
    if (score < bestScore) {
      bestScore = score;
      best = index;
    }
  });
  return best;
}

function drawn(draw: number, weights: readonly number[], total: number): number {
  let threshold = draw * total;
  for (let index = 0; index < weights.length; index++) {
    threshold -= weights[index] ?? 0;
    if (threshold < 0) return index;
  }
  return weights.length - 1;
}

/**
 * STRATEGY_WEIGHTED: an A/B split in proportion to the targets' weights. A request that carries the sticky key
 * always gets the same arm (rendezvous hashing of the key); one without it, or a route without a sticky key,
 * gets an arm drawn with the injected random source. When some targets are not eligible, the split is among
 * the eligible ones, in proportion to their weights. The arms not chosen remain fallbacks. The propensity is
 * the chosen arm's share of the eligible weight, for keyed requests too: the key's hash randomises over keys.
 */
export function createWeightedStrategy(config: WeightedConfig): RouteStrategy {
  return {
    name: "weighted",
    cost: 0,
    choose(candidates, context): StrategyChoice {
      const weights = candidates.map((c) => config.weights.get(c.source) ?? 0);
      const total = weights.reduce((sum, w) => sum + w, 0);
      const value = config.stickyKey === undefined ? undefined : stickyKeyValue(config.stickyKey, context.context);
      let index: number;
      let how: string;
      let splitKey = "";
      if (config.stickyKey !== undefined && value !== undefined) {
        const keyText = `${stickyKeyName(config.stickyKey)}=${JSON.stringify(value)}`;
        index = rendezvous(`${stickyKeyName(config.stickyKey)}\u0000${value}`, candidates, weights);
        how = `hash key ${keyText}`;
        splitKey = splitKeyName(config.stickyKey);
      } else {
        index = drawn(context.random(), weights, total);
        how =
          config.stickyKey === undefined
            ? "drawn at random (the route has no sticky_key)"
            : `drawn at random (the request has no ${stickyKeyName(config.stickyKey)})`;
      }
      const arm = (i: number): string => `arm ${candidates[i]?.model.name ?? ""} (${share(weights[i] ?? 0, total)})`;
      const notChosen = new Map<number, string>();
      if (context.explain) {
        candidates.forEach((_, i) => {
          if (i !== index) notChosen.set(i, `not chosen by the weighted split: ${arm(i)}; ${how}`);
        });
      }
      const reason = `chosen by the weighted split: ${arm(index)}; ${how}`;
      const propensity = total > 0 ? (weights[index] ?? 0) / total : 1;
      return { index, reason, propensity, notChosen, scores: weights, metric: "weight", splitKey };
    },
  };
}
