import { it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** What a spec needs from Debian: files that must exist and commands that must be on PATH, and the packages that provide them. */
export interface DebianNeeds {
  readonly files?: readonly string[];
  readonly commands?: readonly string[];
  readonly packages: readonly string[];
}

function installed(needs: DebianNeeds): boolean {
  return (
    (needs.files ?? []).every((file) => existsSync(file)) &&
    (needs.commands ?? []).every((command) => spawnSync("sh", ["-c", 'command -v "$1"', "sh", command]).status === 0)
  );
}

/**
 * `it` when the Debian packages a test reads are installed; otherwise `it.skip` with the packages to install in its
 * name, so that the test run says what it did not check. The zoo builder's real-data specs use it: the datasets
 * and tools come from Debian, not npm, and a machine that never builds the zoo need not have them.
 */
export function itWithDebian(needs: DebianNeeds): (name: string, fn: () => void | Promise<void>, timeout?: number) => void {
  if (installed(needs)) return it;
  return (name, fn, timeout) => it.skip(`${name} [needs apt-get install ${needs.packages.join(" ")}]`, fn, timeout);
}
