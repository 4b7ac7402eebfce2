import type { Model } from "@modelrouter/contracts";
import { type CompiledConstraint, type ConstraintFailure, failedConstraint } from "./candidate-constraints.js";
import { type CandidateStats, type CandidateStatsProvider, declaredStats, isSnapshotStats } from "./candidate-stats.js";
import { CandidateValue } from "./candidate-values.js";
import type { StrategyCandidate } from "./route-strategy.js";

/** Which of a route's candidates pass its constraints, and why the others do not. */
export interface CandidateScreening {
  /** Every candidate's figures, by index (the figures constraints read and ranking strategies rank by). */
  readonly stats: readonly CandidateStats[];
  /** The indexes of the candidates that pass every constraint, in target order. */
  readonly passing: readonly number[];
  /** The reason of each candidate that fails a constraint, by index. */
  readonly rejected: ReadonlyMap<number, string>;
  /** The clause, as written, that each rejected candidate failed, by index. */
  readonly failedConstraints: ReadonlyMap<number, string>;
}

/** A model's declared figures and, per list of constraints, the first it fails (null: none). */
interface DeclaredScreening {
  readonly stats: CandidateStats;
  readonly failures: WeakMap<readonly CompiledConstraint[], ConstraintFailure | null>;
}

/**
 * Screenings under the declared figures, by model. Constraints read only `candidate` (never the request), and
 * catalogue models are immutable, so under {@link declaredStats} a model's outcome is computed once per
 * catalogue revision.
 */
const declared = new WeakMap<Model, DeclaredScreening>();

function declaredEntry(model: Model): DeclaredScreening {
  let entry = declared.get(model);
  if (entry === undefined) {
    entry = { stats: declaredStats(model), failures: new WeakMap() };
    declared.set(model, entry);
  }
  return entry;
}

function declaredFailure(model: Model, entry: DeclaredScreening, constraints: readonly CompiledConstraint[]): ConstraintFailure | undefined {
  let failure = entry.failures.get(constraints);
  if (failure === undefined) {
    failure = failedConstraint(constraints, new CandidateValue(model, entry.stats)) ?? null;
    entry.failures.set(constraints, failure);
  }
  return failure ?? undefined;
}

type ScreeningsByList = WeakMap<readonly StrategyCandidate[], WeakMap<readonly CompiledConstraint[], CandidateScreening>>;

/**
 * Screenings under snapshot figures (the declared ones, or a live snapshot), by provider, candidate list (one per
 * route, catalogue and modality) and constraints.
 */
const screenings = new WeakMap<CandidateStatsProvider, ScreeningsByList>();

/**
 * Checks every candidate against the route's constraints (with its figures from `stats`): those that pass
 * them all may serve, each other one is rejected with the first constraint it fails. Under the declared
 * figures, or any snapshot provider (see `snapshotStats`), the outcome depends only on the provider and the
 * candidates, so the screening of a candidate list (the same list object for every request while the catalogue
 * does not change) is computed once per provider and shared: it is immutable. Other providers are asked anew.
 */
export function screenCandidates(
  constraints: readonly CompiledConstraint[],
  candidates: readonly StrategyCandidate[],
  stats: CandidateStatsProvider,
): CandidateScreening {
  if (!isSnapshotStats(stats)) return screen(constraints, candidates, stats);
  let byList = screenings.get(stats);
  if (byList === undefined) {
    byList = new WeakMap();
    screenings.set(stats, byList);
  }
  let byConstraints = byList.get(candidates);
  if (byConstraints === undefined) {
    byConstraints = new WeakMap();
    byList.set(candidates, byConstraints);
  }
  let screening = byConstraints.get(constraints);
  if (screening === undefined) {
    screening = screen(constraints, candidates, stats);
    byConstraints.set(constraints, screening);
  }
  return screening;
}

function screen(
  constraints: readonly CompiledConstraint[],
  candidates: readonly StrategyCandidate[],
  stats: CandidateStatsProvider,
): CandidateScreening {
  const figures: CandidateStats[] = [];
  const passing: number[] = [];
  const rejected = new Map<number, string>();
  const failedConstraints = new Map<number, string>();
  for (let index = 0; index < candidates.length; index++) {
    const model = (candidates[index] as StrategyCandidate).model;
    let figure: CandidateStats;
    let failure: ConstraintFailure | undefined;
    if (stats === declaredStats) {
      const entry = declaredEntry(model);
      figure = entry.stats;
      failure = constraints.length === 0 ? undefined : declaredFailure(model, entry, constraints);
    } else {
      figure = stats(model);
      failure = constraints.length === 0 ? undefined : failedConstraint(constraints, new CandidateValue(model, figure));
    }
    figures.push(figure);
    if (failure === undefined) {
      passing.push(index);
    } else {
      rejected.set(index, failure.reason);
      failedConstraints.set(index, failure.clause);
    }
  }
  return { stats: figures, passing, rejected, failedConstraints };
}
