/**
 * modelrouter cannot be started as asked: a variable is wrong or retired, two services would share a port, or a
 * port is taken. `problems` names each variable and how to fix it.
 */
export class LaunchError extends Error {
  override readonly name = "LaunchError";

  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? (problems[0] ?? "") : `cannot start modelrouter:\n  - ${problems.join("\n  - ")}`);
  }
}
