import nx from "@nx/eslint-plugin";
import tseslint from "typescript-eslint";

/**
 * Lint rules. The module-boundary matrix keeps the layers apart: pure domain libraries (the policy
 * evaluator, the error catalogue, the shared syntax) may not touch I/O, clocks, randomness or RPC frameworks;
 * only the RPC kit touches grpc-js; services never import each other (they talk through contracts).
 *
 * Two tag dimensions, both enforced:
 * - `type:*` — the layer (contracts, domain, platform, data, service, app, tool, testing, e2e);
 * - `scope:*` — whose code it is: `scope:shared` libraries depend only on shared ones; a service's own scope
 *   (`analyzer`, `decision`, `executor`, `registry`, `router`) on itself and shared ones; the router app
 *   (`scope:colocation`) may host every service; tools, test kits and end-to-end tests (`scope:workspace`) may
 *   use anything.
 */
const ioModules = [
  "node:fs", "node:fs/promises", "fs", "fs/promises", "node:net", "net", "node:http", "http", "node:http2", "http2",
  "node:https", "https", "node:child_process", "child_process", "node:worker_threads", "worker_threads",
  "node:dgram", "dgram", "node:os", "os", "node:process", "process",
];
const frameworks = ["@grpc/*", "@connectrpc/*", "@opentelemetry/*", "pg", "@electric-sql/*", "onnxruntime-node"];

/**
 * The module-boundary rule. Specs and test-support files may also use the `type:testing` library (an OTLP
 * receiver, a throwaway PostgreSQL), and a service's tests other services; production code may not.
 */
const serviceScopes = ["analyzer", "decision", "executor", "registry", "router"];

/** Production code may not import a library's testing entry point. */
const testingEntryPoints = {
  group: ["@modelrouter/*/testing"],
  message: "A library's testing entry point is for tests (*.spec.ts, *.test-support.ts) only.",
};

function boundaries(allowTesting) {
  const testing = allowTesting ? ["type:testing"] : [];
  // A test may run other services for real (the decision engine against a registry), so scopes bind
  // production code only.
  const scopes = allowTesting
    ? []
    : [
        { sourceTag: "scope:shared", onlyDependOnLibsWithTags: ["scope:shared"] },
        ...serviceScopes.map((scope) => ({ sourceTag: `scope:${scope}`, onlyDependOnLibsWithTags: [`scope:${scope}`, "scope:shared"] })),
      ];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      ...scopes,
      { sourceTag: "type:contracts", onlyDependOnLibsWithTags: [], bannedExternalImports: ["*", "!@bufbuild/protobuf", "!@bufbuild/protobuf/*"] },
      {
        sourceTag: "type:domain",
        onlyDependOnLibsWithTags: ["type:domain", "type:contracts", ...testing],
        bannedExternalImports: allowTesting ? [] : [...ioModules, ...frameworks],
      },
      { sourceTag: "type:platform", onlyDependOnLibsWithTags: ["type:platform", "type:domain", "type:contracts", ...testing] },
      { sourceTag: "type:data", onlyDependOnLibsWithTags: ["type:domain", "type:contracts", ...testing] },
      {
        sourceTag: "type:service",
        // A service's tests may run other services for real (e.g. the decision engine against the registry).
        onlyDependOnLibsWithTags: ["type:platform", "type:domain", "type:contracts", "type:data", ...testing, ...(allowTesting ? ["type:service"] : [])],
        bannedExternalImports: allowTesting ? [] : ["@grpc/*", "@connectrpc/*"],
      },
      {
        sourceTag: "type:app",
        onlyDependOnLibsWithTags: ["type:service", "type:platform", "type:domain", "type:contracts", "type:data", ...testing],
        bannedExternalImports: allowTesting ? [] : ["@grpc/*", "@connectrpc/*"],
      },
      { sourceTag: "type:testing", notDependOnLibsWithTags: ["type:app"] },
      { sourceTag: "type:tool", notDependOnLibsWithTags: ["type:app"] },
      { sourceTag: "type:e2e", notDependOnLibsWithTags: ["type:app"] },
    ],
  };
}

export default [
  { ignores: ["**/dist/**", "**/node_modules/**", "**/src/gen/**", "**/*.mjs", "**/*.js", "**/*.cjs"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "@nx": nx },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": "error",
      "@nx/enforce-module-boundaries": ["error", boundaries(false)],
      "no-restricted-imports": ["error", { patterns: [testingEntryPoints] }],
    },
  },
  {
    // The benchmarks run stand-ins as a test does (the fake OpenAI-compatible server, in a process of its own).
    files: ["tools/bench/src/**/*.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["libs/policy/**/*.ts", "libs/errors/**/*.ts", "libs/syntax/**/*.ts"],
    ignores: ["**/*.spec.ts", "**/*.test-support.ts"],
    rules: {
      // Nx's bannedExternalImports does not see Node's built-in modules: this does.
      "no-restricted-imports": ["error", {
        paths: ioModules.map((name) => ({ name, message: "Pure library: no I/O; take what it needs as an argument." })),
        patterns: [testingEntryPoints, { group: frameworks, message: "Pure library: no RPC, telemetry or database frameworks." }],
      }],
      "no-restricted-globals": ["error",
        { name: "process", message: "Pure library: no process access." },
        { name: "setTimeout", message: "Pure library: no timers." },
        { name: "setInterval", message: "Pure library: no timers." },
        { name: "fetch", message: "Pure library: no I/O." },
        { name: "performance", message: "Pure library: no clock; take time as an argument." },
      ],
      "no-restricted-properties": ["error",
        { object: "Date", property: "now", message: "Pure library: no clock; take `now` as an argument." },
        { object: "Math", property: "random", message: "Pure library: no randomness; take a random source as an argument." },
        { object: "crypto", property: "randomUUID", message: "Pure library: no randomness." },
      ],
      "no-restricted-syntax": ["error",
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Pure library: no clock; take `now` as an argument." },
      ],
    },
  },
  {
    files: ["**/*.spec.ts", "**/*.test-support.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@nx/enforce-module-boundaries": ["error", boundaries(true)],
      "no-restricted-imports": "off",
    },
  },
];
