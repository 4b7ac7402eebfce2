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

function resolveTarget(
  target: CompiledTarget,
  list: Candidate["list"],
  catalogue: ModelCatalogue,
  modality: Modality,
  emptySelectors: string[],
): Candidate[] {
  if (target.kind === "selector") {
    const models = catalogue.select(target.selector.matches);
    if (models.length === 0) emptySelectors.push(`${target.source} (${target.selector.text || "every model"})`);
    return models.map((model) => candidate(model, model, target.source, list, modalityProblem(model, modality)));
  }
  const ref = { name: target.name, version: target.version };
  if (target.version !== "") {
    const model = catalogue.find(target.name, target.version);
    if (model === undefined) return [candidate(undefined, ref, target.source, list, "not registered")];
    return [candidate(model, ref, target.source, list, pinnedProblem(model) ?? modalityProblem(model, modality))];
  }
  const latest = catalogue.latest(target.name);
  if (latest !== undefined) return [candidate(latest, ref, target.source, list, modalityProblem(latest, modality))];
  const known = catalogue.versions(target.name).length > 0;
  const reason = known ? "has no active or deprecated version (name a staging version to serve it)" : "not registered";
  return [candidate(undefined, ref, target.source, list, reason)];
}

interface ResolvedFor {
  readonly catalogue: ModelCatalogue;
  readonly byModality: Map<Modality, RouteResolution>;
}

/** The last catalogue each route was resolved against, with its resolution per input modality. */
const resolutions = new WeakMap<CompiledRoute, ResolvedFor>();

/**
 * Resolves a route against the catalogue: a model target with a version is that version (unless retired);
 * without one, the model's latest ACTIVE or DEPRECATED version; a selector, every matching model's latest
 * ACTIVE or DEPRECATED version in name order. Each candidate is then eligible or rejected with a reason
 * (its status, or a modality other than the input's). The resolution depends only on the route, the catalogue
 * and the modality, so it is computed once per catalogue (a catalogue is immutable) and modality, and the same
 * immutable resolution is returned until the route is resolved against another catalogue.
 */
export function resolveRoute(route: CompiledRoute, catalogue: ModelCatalogue, modality: Modality): RouteResolution {
  let cached = resolutions.get(route);
  if (cached?.catalogue !== catalogue) {
    cached = { catalogue, byModality: new Map() };
    resolutions.set(route, cached);
  }
  let resolution = cached.byModality.get(modality);
  if (resolution === undefined) {
    resolution = resolveAfresh(route, catalogue, modality);
    cached.byModality.set(modality, resolution);
  }
  return resolution;
}

function resolveAfresh(route: CompiledRoute, catalogue: ModelCatalogue, modality: Modality): RouteResolution {
  const emptySelectors: string[] = [];
  const candidates = [
    ...route.targets.flatMap((t) => resolveTarget(t, "targets", catalogue, modality, emptySelectors)),
    ...route.fallbacks.flatMap((t) => resolveTarget(t, "fallbacks", catalogue, modality, emptySelectors)),
  ];
  return { candidates, emptySelectors };
}
