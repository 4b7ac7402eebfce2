import { ModelStatus } from "@modelrouter/contracts";
import type { CompiledRoute } from "./compiled-policy.js";
import type { ModelCatalogue } from "./model-catalogue.js";
import type { CompileReport } from "./policy-violation.js";

/**
 * Warns about targets that resolve to nothing in the catalogue: unknown models and versions, retired
 * versions, models without a servable version, selectors that match nothing. These compile (the model may be
 * registered later) but probably are mistakes.
 */
export function reportCatalogueWarnings(
  routes: readonly CompiledRoute[],
  catalogue: ModelCatalogue,
  report: CompileReport,
): void {
  for (const route of routes) {
    for (const target of [...route.targets, ...route.fallbacks]) {
      if (target.kind === "selector") {
        if (catalogue.select(target.selector.matches).length === 0) {
          report.warning(`${target.source}.selector`, "matches no active or deprecated model yet");
        }
        continue;
      }
      if (target.version !== "") {
        const model = catalogue.find(target.name, target.version);
        if (model === undefined) {
          report.warning(`${target.source}.model`, `version "${target.version}" of model "${target.name}" is not registered`);
        } else if (model.status === ModelStatus.RETIRED) {
          report.warning(`${target.source}.model`, `${target.name}@${target.version} is retired and is never served`);
        }
        continue;
      }
      if (catalogue.versions(target.name).length === 0) {
        report.warning(`${target.source}.model`, `model "${target.name}" is not registered`);
      } else if (catalogue.latest(target.name) === undefined) {
        report.warning(
          `${target.source}.model`,
          `model "${target.name}" has no active or deprecated version, so it is not served without a version`,
        );
      }
    }
  }
}
