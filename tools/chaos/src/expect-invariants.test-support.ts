import { expect } from "@jest/globals";
import { formatScenario } from "./report.js";
import type { ScenarioResult } from "./scenario-result.js";

/** Prints the scenario's table and expects every invariant to have held (a failure lists those that broke). */
export function expectInvariantsHeld(result: ScenarioResult): void {
  process.stdout.write(`${formatScenario(result)}\n`);
  expect(result.invariants.filter((i) => !i.held)).toEqual([]);
}
