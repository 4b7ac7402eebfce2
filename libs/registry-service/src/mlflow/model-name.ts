import { resourceNameProblem } from "@modelrouter/syntax";

/**
 * The modelrouter name of an MLflow registered model: lower-cased, each `_`, `.` and space turned into `-`.
 * Undefined with the reason when the result still is not a modelrouter name (lower-case letters, digits and
 * `-`, 1 to 63 characters, starting with a letter).
 */
export function modelrouterNameOf(mlflowName: string): { name?: string; problem?: string } {
  const name = mlflowName.toLowerCase().replace(/[_. ]/gu, "-");
  const problem = resourceNameProblem(name, "model");
  return problem === undefined ? { name } : { problem: `its modelrouter name "${name}" ${problem}` };
}
