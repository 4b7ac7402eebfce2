import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import type { Policy } from "@modelrouter/contracts";
import { POLICY_LIMITS, compilePolicy } from "@modelrouter/policy";
import { Code } from "@modelrouter/rpc-kit";
import {
  type Backend,
  type Registry,
  pgliteBackend,
  rpcErrorOf,
  uniqueName,
  validModel,
  validPolicy,
} from "../registry.test-support.js";

jest.setTimeout(120_000);

/** A valid policy that is costly to evaluate: rules that each scan every field of a tabular payload. */
function costlyPolicy(name: string, model: string): Policy {
  const rules = Array.from({ length: 3 }, (_, i) => ({
    name: `scan-${i}`,
    when: `input.tabular.fields.exists(f, f == "column-${i}")`,
    route: { targets: [{ kind: { case: "model" as const, value: { name: model } } }] },
  }));
  return validPolicy(name, model, { rules });
}

function costOf(policy: Policy): number {
  const result = compilePolicy(policy);
  if (result.kind !== "compiled") throw new Error(JSON.stringify(result.violations));
  return result.policy.cost;
}

describe("the budget of all policies together, on ApplyPolicy", () => {
  let backend: Backend;
  let registry: Registry;
  let model: string;

  beforeAll(async () => {
    backend = await pgliteBackend();
    registry = await backend.openFresh();
    model = uniqueName("target");
    await registry.client.registerModel({ model: validModel({ name: model }) });
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  it("refuses the policy that would bring all of them over the budget, naming it and the figures, and stores nothing", async () => {
    const each = costOf(costlyPolicy("probe", model));
    expect(each).toBeLessThanOrEqual(POLICY_LIMITS.maxPolicyCost);
    const fitting = Math.floor(POLICY_LIMITS.maxTotalCost / each);
    const names = Array.from({ length: fitting + 1 }, (_, i) => `costly-${i}`);
    for (const name of names.slice(0, fitting)) await registry.client.applyPolicy({ policy: costlyPolicy(name, model) });
    const last = names[fitting] as string;
    const revision = await registry.store.revision();

    for (const validateOnly of [true, false]) {
      const error = await rpcErrorOf(registry.client.applyPolicy({ policy: costlyPolicy(last, model), validateOnly }));
      expect([error.code, error.reason]).toEqual([Code.RESOURCE_EXHAUSTED, "QUOTA_EXCEEDED"]);
      const total = each * (fitting + 1);
      expect(error.message).toContain(
        `policy "${last}" is estimated to cost ${each.toLocaleString("en-US")} units per request, which would ` +
          `bring all ${fitting + 1} policies to ${total.toLocaleString("en-US")} units, over the budget of ` +
          `${POLICY_LIMITS.maxTotalCost.toLocaleString("en-US")} for all policies together`,
      );
      expect(error.message).toContain('the costliest stored policies are "costly-0"');
      expect(error.metadata).toMatchObject({
        policy: last,
        cost: String(each),
        total: String(total),
        limit: String(POLICY_LIMITS.maxTotalCost),
      });
    }
    expect(await registry.store.revision()).toBe(revision);
  });

  it("counts a replaced policy at its new cost, not twice", async () => {
    const replaced = await registry.client.applyPolicy({ policy: costlyPolicy("costly-0", model) });
    expect(replaced.created).toBe(false);
  });

  it("makes room when a policy is deleted", async () => {
    await registry.client.deletePolicy({ name: "costly-0" });
    const costly = await registry.client.applyPolicy({ policy: costlyPolicy("costly-again", model) });
    expect(costly.created).toBe(true);
  });
});
