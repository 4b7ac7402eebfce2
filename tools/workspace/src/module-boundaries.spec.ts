import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { ESLint } from "eslint";
import { repositoryRoot } from "./repository-root.test-support.js";

/** The rules ESLint reports for `code` as if it were the file at `path` (relative to the repository root). */
async function violations(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repositoryRoot });
  const [result] = await eslint.lintText(code, { filePath: join(repositoryRoot, path) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? "?"}: ${m.message}`);
}

describe("module boundaries", () => {
  it("keeps a service's code from importing another service", async () => {
    const found = await violations("libs/router-service/src/probe.ts", `import { startAnalyzer } from "@modelrouter/analyzer-service";\nexport const x = startAnalyzer;\n`);
    expect(found).toEqual([expect.stringMatching(/enforce-module-boundaries.*scope:router.*can only depend on.*scope:router.*scope:shared/)]);
  });

  it("keeps shared libraries from importing any service", async () => {
    const found = await violations("libs/policy/src/probe.ts", `import { startExecutor } from "@modelrouter/executor-service";\nexport const x = startExecutor;\n`);
    expect(found.some((v) => /scope:shared.*can only depend on.*scope:shared/.test(v))).toBe(true);
  });

  it("keeps the pure policy library away from I/O, clocks and randomness", async () => {
    const found = await violations("libs/policy/src/probe.ts", `import { readFileSync } from "node:fs";\nexport const x = [readFileSync, Date.now(), Math.random()];\n`);
    expect(found).toEqual([
      expect.stringMatching(/no-restricted-imports.*node:fs.*no I\/O/),
      expect.stringMatching(/no-restricted-properties.*no clock/),
      expect.stringMatching(/no-restricted-properties.*no randomness/),
    ]);
  });

  it("lets the router app host every service (the co-located topology)", async () => {
    const code = `import { startAnalyzer } from "@modelrouter/analyzer-service";\nimport { startRegistry } from "@modelrouter/registry-service";\nexport const x = [startAnalyzer, startRegistry];\n`;
    expect(await violations("apps/router/src/probe.ts", code)).toEqual([]);
  });

  it("keeps testing entry points out of production code, and lets tests use them", async () => {
    const code = `import { LOCK_FILE_NAME } from "@modelrouter/registry-service/testing";\nexport const x = LOCK_FILE_NAME;\n`;
    expect(await violations("libs/decision-service/src/probe.ts", code)).toEqual(
      expect.arrayContaining([expect.stringMatching(/no-restricted-imports.*testing entry point is for tests/)]),
    );
    expect(await violations("libs/decision-service/src/probe.spec.ts", code)).toEqual([]);
  });
});
