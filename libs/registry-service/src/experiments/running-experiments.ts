import type { Policy, Route } from "@modelrouter/contracts";
import { experimentSettings, type ExperimentSettings } from "@modelrouter/policy";
import type { RegistryStore } from "../store/registry-store.js";

/** One route of a stored policy that carries an experiment (running or ended). */
export interface ExperimentRoute {
  /** The rule's name; "" for the default route. */
  readonly rule: string;
  /** The rule's index, or -1 for the default route. */
  readonly ruleIndex: number;
  readonly route: Route;
  readonly settings: ExperimentSettings;
  /** True while the experiment has no outcome. */
  readonly running: boolean;
}

/** Every route of `policy` with an experiment, in policy order (rules, then the default route). */
export function experimentRoutes(policy: Policy): ExperimentRoute[] {
  const routes: { rule: string; ruleIndex: number; route: Route | undefined }[] = [
    ...policy.rules.map((rule, ruleIndex) => ({ rule: rule.name, ruleIndex, route: rule.route })),
    { rule: "", ruleIndex: -1, route: policy.defaultRoute },
  ];
  return routes.flatMap(({ rule, ruleIndex, route }) => {
    if (route?.experiment === undefined) return [];
    const settings = experimentSettings(route, policy.name, rule);
    if (settings === undefined) return [];
    return [{ rule, ruleIndex, route, settings, running: route.experiment.outcome === undefined }];
  });
}

/** The model named by each of the route's targets ({ name: "", version: "" } for a selector). */
export function armModels(route: Route): { name: string; version: string }[] {
  return route.targets.map((target) =>
    target.kind.case === "model" ? { name: target.kind.value.name, version: target.kind.value.version } : { name: "", version: "" },
  );
}

/** Every stored policy, read a page of 500 at a time. */
export async function storedPolicies(store: RegistryStore): Promise<Policy[]> {
  const policies: Policy[] = [];
  let after: string | undefined;
  do {
    const page = await store.listPolicies(after === undefined ? { size: 500 } : { size: 500, after });
    policies.push(...page.items);
    after = page.nextAfter;
  } while (after !== undefined);
  return policies;
}
