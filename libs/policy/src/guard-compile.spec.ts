import { describe, expect, it } from "@jest/globals";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { GuardSchema } from "@modelrouter/contracts";
import { compilePolicy } from "./index.js";
import { modelTarget, policy, route, rule } from "./policy-fixtures.test-support.js";

type GuardInit = MessageInitShape<typeof GuardSchema>;

function compileWithGuard(guard: GuardInit) {
  return compilePolicy(
    policy({
      name: "digits",
      rules: [rule("guarded", "true", { targets: [modelTarget("digits-lite")], fallbacks: [modelTarget("digits-general")], guard })],
    }),
  );
}

function problems(guard: GuardInit): { field: string; description: string }[] {
  const result = compileWithGuard(guard);
  return result.kind === "invalid" ? result.violations.map(({ field, description }) => ({ field, description })) : [];
}

describe("a route's guard, compiled", () => {
  it("fills in the defaults: margin 0.2, 20 samples, hold 30 s, probe share 0.05", () => {
    const result = compileWithGuard({ maxErrorRate: 0.1 });
    if (result.kind !== "compiled") throw new Error(JSON.stringify(result.violations));
    expect(result.policy.rules[0]?.route.guard).toEqual({
      minAccuracy: undefined,
      maxErrorRate: 0.1,
      maxP95LatencyMs: undefined,
      recoveryMargin: 0.2,
      minSamples: 20,
      holdMs: 30_000,
      probeShare: 0.05,
    });
  });

  it("keeps every setting given", () => {
    const result = compileWithGuard({
      minAccuracy: 0.9,
      maxP95LatencyMs: 250,
      recoveryMargin: 0,
      minSamples: 50,
      hold: { seconds: 5n, nanos: 500_000_000 },
      probeShare: 0.5,
    });
    if (result.kind !== "compiled") throw new Error(JSON.stringify(result.violations));
    expect(result.policy.rules[0]?.route.guard).toMatchObject({ minAccuracy: 0.9, maxP95LatencyMs: 250, recoveryMargin: 0, minSamples: 50, holdMs: 5500, probeShare: 0.5 });
  });

  it("leaves a route without a guard unguarded", () => {
    const result = compilePolicy(policy({ name: "digits", defaultRoute: route([modelTarget("digits-lite")]) }));
    expect(result.kind === "compiled" && result.policy.defaultRoute?.guard).toBeUndefined();
  });

  it("asks for at least one threshold", () => {
    expect(problems({ probeShare: 0.1 })).toEqual([
      { field: "rules[0].route.guard", description: expect.stringContaining("set at least one of min_accuracy") },
    ]);
  });

  it.each([
    ["min_accuracy", { minAccuracy: 1.5 }, "from 0 to 1"],
    ["min_accuracy", { minAccuracy: Number.NaN }, "from 0 to 1"],
    ["max_error_rate", { maxErrorRate: -0.1 }, "from 0 to 1"],
    ["max_p95_latency_ms", { maxP95LatencyMs: 0 }, "above 0"],
    ["recovery_margin", { maxErrorRate: 0.1, recoveryMargin: 1 }, "up to (not including) 1"],
    ["probe_share", { maxErrorRate: 0.1, probeShare: 0.6 }, "from 0 to 0.5"],
    ["hold", { maxErrorRate: 0.1, hold: { seconds: 3601n } }, "from 0 to 1 hour"],
    ["hold", { maxErrorRate: 0.1, hold: { seconds: -1n } }, "from 0 to 1 hour"],
  ] as const)("rejects %s out of range (%j), naming the field and the range", (field, guard, fix) => {
    expect(problems(guard as GuardInit)).toEqual([
      { field: `rules[0].route.guard.${field}`, description: expect.stringContaining(fix) },
    ]);
  });
});
