import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { repositoryRoot } from "./repository-root.test-support.js";
import { missingOptionalEntries, type Lockfile } from "./lockfile.test-support.js";

describe("package-lock.json", () => {
  it("is complete: every optional dependency of every package has an entry of its own, so that a fresh clone's npm install does not rewrite it", () => {
    const lockfile = JSON.parse(readFileSync(join(repositoryRoot, "package-lock.json"), "utf8")) as Lockfile & { lockfileVersion: number };
    expect(lockfile.lockfileVersion).toBeGreaterThanOrEqual(2);
    expect(Object.keys(lockfile.packages).length).toBeGreaterThan(100);
    expect(missingOptionalEntries(lockfile)).toEqual([]);
  });

  it("the check finds an optional package whose entry is missing, wherever Node would look for it", () => {
    const lockfile: Lockfile = {
      packages: {
        "": { optionalDependencies: { fsevents: "2.3.3" } },
        "node_modules/@swc/core": { optionalDependencies: { "@swc/core-linux-x64-gnu": "1.0.0", "@swc/core-darwin-arm64": "1.0.0" } },
        "node_modules/@swc/core-linux-x64-gnu": {},
        "node_modules/a/node_modules/b": { optionalDependencies: { c: "1.0.0", d: "1.0.0" } },
        "node_modules/a/node_modules/c": {},
        "libs/x": { optionalDependencies: { e: "1.0.0" } },
        "libs/x/node_modules/e": {},
      },
    };
    expect(missingOptionalEntries(lockfile)).toEqual(["(root) -> fsevents", "node_modules/@swc/core -> @swc/core-darwin-arm64", "node_modules/a/node_modules/b -> d"]);
  });
});
