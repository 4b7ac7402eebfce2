import { type Model, Modality, ModelStatus } from "@modelrouter/contracts";
import type { CompiledRoute, CompiledTarget } from "./compiled-policy.js";
import type { ModelCatalogue } from "./model-catalogue.js";
import { modalityName } from "./modality-names.js";

/** A model version a route's target resolved to, eligible or not. */
export interface Candidate {
  readonly name: string;
  /** Empty when the target named no version and none could be resolved. */
  readonly version: string;
  /** The version, when the catalogue has it. */
  readonly model: Model | undefined;
  /** The target it came from, for example "rules[0].route.targets[1]". */
  readonly source: string;
  readonly list: "targets" | "fallbacks";
  /** Why it cannot serve this request; undefined when it is eligible. */
  readonly rejection: string | undefined;
}

/** A route's targets and fallbacks resolved against the catalogue, in order. */
export interface RouteResolution {
  readonly candidates: readonly Candidate[];
  /** Selectors that matched no model, as "<path> (<selector>)", for messages. */
  readonly emptySelectors: readonly string[];
}

function modalityProblem(model: Model, input: Modality): string | undefined {
  if (model.modality === Modality.UNSPECIFIED || model.modality === input) return undefined;
  const accepts = modalityName(model.modality) || `modality ${String(model.modality)}`;
  const given = modalityName(input);
  return `accepts ${accepts}; input is ${given === "" ? "of unknown modality" : given}`;
}

function pinnedProblem(model: Model): string | undefined {
  switch (model.status) {
    case ModelStatus.RETIRED:
      return "retired: never served";
    case ModelStatus.UNSPECIFIED:
      return "has no lifecycle status";
    default:
      return undefined;
  }
}

function candidate(
  model: Model | undefined,
  fallback: { name: string; version: string },
  source: string,
  list: Candidate["list"],
  rejection: string | undefined,
): Candidate {
  return {
    name: model?.name ?? fallback.name,
    version: model?.version ?? fallback.version,
    model,
    source,
    list,
    rejection,
  };
}

/** Why a model of another tenant cannot serve a request of `tenant` (it never names that tenant). */
function tenantProblem(model: Model, tenant: string): string | undefined {
  const owner = model.tenant ?? "";
  if (owner === "" || owner === tenant) return undefined;
  return tenant === "" ? "serves only its tenant's requests; this request has no tenant" : "serves only another tenant's requests";
}

function resolveTarget(
  target: CompiledTarget,
  list: Candidate["list"],
  catalogue: ModelCatalogue,
  modality: Modality,
  tenant: string,
  emptySelectors: string[],
): Candidate[] {
  if (target.kind === "selector") {
    // Another tenant's models are not this request's to select: they are left out, not listed as skipped.
    const models = catalogue.select(target.selector.matches).filter((model) => tenantProblem(model, tenant) === undefined);
    if (models.length === 0) emptySelectors.push(`${target.source} (${target.selector.text || "every model"})`);
    return models.map((model) => candidate(model, model, target.source, list, modalityProblem(model, modality)));
  }
  const ref = { name: target.name, version: target.version };
  if (target.version !== "") {
    const model = catalogue.find(target.name, target.version);
    if (model === undefined) return [candidate(undefined, ref, target.source, list, "not registered")];
    return [candidate(model, ref, target.source, list, tenantProblem(model, tenant) ?? pinnedProblem(model) ?? modalityProblem(model, modality))];
  }
  const latest = catalogue.latest(target.name);
  if (latest !== undefined) return [candidate(latest, ref, target.source, list, tenantProblem(latest, tenant) ?? modalityProblem(latest, modality))];
  const known = catalogue.versions(target.name).length > 0;
  const reason = known ? "has no active or deprecated version (name a staging version to serve it)" : "not registered";
  return [candidate(undefined, ref, target.source, list, reason)];
}

interface ResolvedFor {
  readonly catalogue: ModelCatalogue;
  /** Whether any model of the catalogue belongs to a tenant (then the resolution depends on the request's). */
  readonly tenanted: boolean;
  /** By modality, and by tenant too when `tenanted`. */
  readonly byKey: Map<string, RouteResolution>;
}

/** The most resolutions kept per route and catalogue (one per modality and tenant); beyond it they start over. */
const MAX_RESOLUTIONS = 1024;

/** The last catalogue each route was resolved against, with its resolution per input modality (and tenant). */
const resolutions = new WeakMap<CompiledRoute, ResolvedFor>();

/**
 * Resolves a route against the catalogue: a model target with a version is that version (unless retired);
 * without one, the model's latest ACTIVE or DEPRECATED version; a selector, every matching model's latest
 * ACTIVE or DEPRECATED version in name order. Each candidate is then eligible or rejected with a reason
 * (its status, a modality other than the input's, or a tenant other than the request's). A model of a tenant
 * serves only that tenant's requests: a selector leaves other tenants' models out, and a target naming one is
 * rejected (without naming its tenant). The resolution depends only on the route, the catalogue, the modality and
 * (when the catalogue has models of a tenant) the request's tenant, so it is computed once per catalogue (a catalogue
 * is immutable), modality and tenant, and the same immutable resolution is returned until the route is resolved
 * against another catalogue.
 */
export function resolveRoute(route: CompiledRoute, catalogue: ModelCatalogue, modality: Modality, tenant = ""): RouteResolution {
  let cached = resolutions.get(route);
  if (cached?.catalogue !== catalogue) {
    cached = { catalogue, tenanted: catalogue.models.some((model) => (model.tenant ?? "") !== ""), byKey: new Map() };
    resolutions.set(route, cached);
  }
  const key = cached.tenanted ? `${modality}/${tenant}` : String(modality);
  let resolution = cached.byKey.get(key);
  if (resolution === undefined) {
    resolution = resolveAfresh(route, catalogue, modality, cached.tenanted ? tenant : "");
    if (cached.byKey.size >= MAX_RESOLUTIONS) cached.byKey.clear();
    cached.byKey.set(key, resolution);
  }
  return resolution;
}

function resolveAfresh(route: CompiledRoute, catalogue: ModelCatalogue, modality: Modality, tenant: string): RouteResolution {
  const emptySelectors: string[] = [];
  const candidates = [
    ...route.targets.flatMap((t) => resolveTarget(t, "targets", catalogue, modality, tenant, emptySelectors)),
    ...route.fallbacks.flatMap((t) => resolveTarget(t, "fallbacks", catalogue, modality, tenant, emptySelectors)),
  ];
  return { candidates, emptySelectors };
}
