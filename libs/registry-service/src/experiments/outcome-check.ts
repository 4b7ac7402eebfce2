import { equals } from "@bufbuild/protobuf";
import { ExperimentOutcomeSchema, type ExperimentOutcome, type Policy } from "@modelrouter/contracts";
import { isDomainError, ErrorReason, Violations } from "@modelrouter/errors";
import type { RegistryStore } from "../store/registry-store.js";
import { experimentRoutes } from "./running-experiments.js";

/** Every outcome the registry wrote into the kept revisions of policy `name` (none when it has no revisions). */
async function writtenOutcomes(store: RegistryStore, name: string): Promise<ExperimentOutcome[]> {
  const outcomes: ExperimentOutcome[] = [];
  let after: string | undefined;
  try {
    do {
      const page = await store.listPolicyRevisions(name, after === undefined ? { size: 100 } : { size: 100, after });
      for (const entry of page.items) {
        if (!entry.appliedBy.startsWith("experiment:")) continue;
        const body = await store.getPolicy(name, entry.revision);
        for (const route of experimentRoutes(body)) {
          const outcome = route.route.experiment?.outcome;
          if (outcome !== undefined) outcomes.push(outcome);
        }
      }
      after = page.nextAfter;
    } while (after !== undefined);
  } catch (error) {
    if (isDomainError(error) && error.reason === ErrorReason.POLICY_NOT_FOUND) return outcomes;
    throw error;
  }
  return outcomes;
}

/**
 * Refuses a policy applied by a user that carries an experiment `outcome` the registry did not write: an
 * outcome is output-only evidence, so a body may keep one only as a revision written by the experiment
 * monitor ("experiment:<name>") has it — which lets a user re-apply a body read back (GetPolicy, `policies
 * rollback`) but never forge a verdict.
 *
 * @throws DomainError INVALID_FIELD naming each forged `…experiment.outcome`.
 */
export async function checkExperimentOutcomes(store: RegistryStore, policy: Policy): Promise<void> {
  const claimed = experimentRoutes(policy).filter((route) => route.route.experiment?.outcome !== undefined);
  if (claimed.length === 0) return;
  const written = await writtenOutcomes(store, policy.name);
  const v = new Violations();
  for (const route of claimed) {
    const outcome = route.route.experiment!.outcome!;
    if (written.some((w) => equals(ExperimentOutcomeSchema, w, outcome))) continue;
    const path = route.ruleIndex < 0 ? "policy.default_route" : `policy.rules[${route.ruleIndex}].route`;
    v.add(
      `${path}.experiment.outcome`,
      "is output-only: the registry sets it when the experiment ends, with its evidence; remove it to run the " +
        "experiment (or re-apply a revision the registry wrote, unchanged)",
    );
  }
  v.throwIfAny("the policy cannot be applied: it claims an experiment outcome the registry did not reach");
}
