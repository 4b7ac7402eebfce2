/**
 * Shared Jest settings: TypeScript through SWC, native ES modules, and workspace libraries mapped to their
 * sources so that tests never need a build of the libraries they import.
 */
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

/** @param {string} projectDir @param {Partial<import('jest').Config>} [overrides] */
export function jestConfig(projectDir, overrides = {}) {
  return {
    rootDir: projectDir,
    // Node's environment, sharing the host's typed-array classes (onnxruntime-node needs them).
    testEnvironment: `${root}jest.environment.mjs`,
    testMatch: ["<rootDir>/src/**/*.spec.ts"],
    extensionsToTreatAsEsm: [".ts"],
    transform: {
      "^.+\\.ts$": [
        "@swc/jest",
        {
          jsc: { parser: { syntax: "typescript" }, target: "es2022", keepClassNames: true },
          module: { type: "es6" },
          sourceMaps: "inline",
        },
      ],
    },
    moduleNameMapper: {
      "^@modelrouter/cli$": `${root}tools/cli/src/index.ts`,
      "^@modelrouter/launcher$": `${root}tools/launcher/src/index.ts`,
      "^@modelrouter/([a-z0-9-]+)/([a-z0-9-]+)$": `${root}libs/$1/src/$2.ts`,
      "^@modelrouter/([a-z0-9-]+)$": `${root}libs/$1/src/index.ts`,
      "^(\\.{1,2}/.*)\\.js$": "$1",
    },
    ...overrides,
  };
}
