import type { Policy, Route } from "@modelrouter/contracts";

/** Which registered models a policy's targets can resolve to, so that only those are loaded to check it. */
export interface CatalogueScope {
  /** The model names its model targets name. */
  readonly names: readonly string[];
  /** True when a target selects by labels (then every servable version may match). */
  readonly selectable: boolean;
}

/** The {@link CatalogueScope} of a policy: its rules' and default route's targets and fallbacks. */
export function catalogueScope(policy: Policy): CatalogueScope {
  const names = new Set<string>();
  let selectable = false;
  const visit = (route: Route | undefined): void => {
    for (const target of [...(route?.targets ?? []), ...(route?.fallbacks ?? [])]) {
      if (target.kind.case === "model") names.add(target.kind.value.name);
      else if (target.kind.case === "selector") selectable = true;
    }
  };
  for (const rule of policy.rules) visit(rule.route);
  visit(policy.defaultRoute);
  return { names: [...names], selectable };
}
