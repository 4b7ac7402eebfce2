import type { Model, ModelLoad } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";

/** A model version's requests in flight, as the router reported them with a DecideRequest. */
export type LoadLookup = (model: Model) => number;

/**
 * Checks a DecideRequest's `load` (each entry names a model; a version is optional) and returns the lookup
 * STRATEGY_LEAST_LOADED reads: the entry of the model's version, else the entry without a version for its name,
 * else 0 (none in flight). Entries repeated for one model add up.
 */
export function parseModelLoad(load: readonly ModelLoad[], violations: Violations): LoadLookup {
  const inFlight = new Map<string, number>();
  load.forEach((entry, index) => {
    const name = entry.model?.name ?? "";
    if (name === "") {
      violations.add(`load[${index}].model.name`, "is required: name the model whose requests in flight this entry counts");
      return;
    }
    const key = loadKey(name, entry.model?.version ?? "");
    inFlight.set(key, (inFlight.get(key) ?? 0) + entry.inFlight);
  });
  if (inFlight.size === 0) return () => 0;
  return (model) => inFlight.get(loadKey(model.name, model.version)) ?? inFlight.get(loadKey(model.name, "")) ?? 0;
}

function loadKey(name: string, version: string): string {
  return `${name}\u0000${version}`;
}
