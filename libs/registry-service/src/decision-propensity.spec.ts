import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@modelrouter/rpc-kit";
import { backendFor, rpcErrorOf, uniqueName, validDecision, type Backend, type Registry } from "./registry.test-support.js";

describe("the propensity of a recorded decision (pglite)", () => {
  let backend: Backend;
  let registry: Registry;

  beforeAll(async () => {
    backend = await backendFor("pglite");
    registry = await backend.open();
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const decided = (tenant: string, propensity?: number) =>
    validDecision({ tenant, requestId: uniqueName("req"), time: timestampFromMs(Date.now()), ...(propensity === undefined ? {} : { propensity }) });

  it("keeps a propensity in (0, 1], and GetDecision and ListDecisions return it", async () => {
    const tenant = uniqueName("tenant");
    const split = decided(tenant, 0.3);
    const certain = decided(tenant, 1);
    await registry.client.recordDecision({ decision: split });
    await registry.client.recordDecision({ decision: certain });
    expect((await registry.client.getDecision({ requestId: split.requestId })).decision?.propensity).toBe(0.3);
    const { decisions } = await registry.client.listDecisions({ tenant });
    expect(new Map(decisions.map((d) => [d.requestId, d.propensity]))).toEqual(
      new Map([
        [split.requestId, 0.3],
        [certain.requestId, 1],
      ]),
    );
  });

  it("accepts a record without a propensity (0: unknown, as from a router that predates it)", async () => {
    const old = decided(uniqueName("tenant"));
    await registry.client.recordDecision({ decision: old });
    expect((await registry.client.getDecision({ requestId: old.requestId })).decision?.propensity).toBe(0);
  });

  it.each([Number.NaN, -0.25, 1.5, Number.POSITIVE_INFINITY])("refuses a propensity of %s, naming the field and the range", async (propensity) => {
    const error = await rpcErrorOf(registry.client.recordDecision({ decision: decided(uniqueName("tenant"), propensity) }));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.message).toContain(`decision.propensity: is ${propensity}`);
    expect(error.message).toContain("greater than 0 and at most 1");
  });
});
