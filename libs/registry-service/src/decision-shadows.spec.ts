import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ShadowResultSchema } from "@modelrouter/contracts";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@modelrouter/rpc-kit";
import { backendFor, rpcErrorOf, uniqueName, validDecision, type Backend, type Registry } from "./registry.test-support.js";

describe("decision records with shadow results (pglite)", () => {
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

  const shadowed = (tenant: string, shadows: MessageInitShape<typeof ShadowResultSchema>[]) =>
    validDecision({ tenant, requestId: uniqueName("req"), time: timestampFromMs(Date.now()), instance: "10.0.0.7:50055", shadows });

  it("keeps each shadow's comparison and the instance, and ListDecisions returns them", async () => {
    const tenant = uniqueName("tenant");
    const decision = shadowed(tenant, [
      { model: { name: "digits-lite", version: "1" }, code: 0, topLabel: "7", sameTopLabel: true, scoreDistance: 0.125, latencyMs: 3.5 },
      { model: { name: "digits-degraded", version: "2" }, code: Code.RESOURCE_EXHAUSTED, message: "dropped: 32 shadows already run", latencyMs: 0 },
    ]);
    await registry.client.recordDecision({ decision });
    const { decisions } = await registry.client.listDecisions({ tenant });
    expect(decisions).toEqual([decision]);
    expect(decisions[0]?.shadows[0]?.scoreDistance).toBe(0.125);
    expect(decisions[0]?.shadows[1]?.scoreDistance).toBeUndefined();
    expect((await registry.client.getDecision({ requestId: decision.requestId })).decision?.instance).toBe("10.0.0.7:50055");
  });

  it("refuses malformed shadow results, naming each field", async () => {
    const decision = shadowed(uniqueName("tenant"), [
      { code: 99, scoreDistance: Number.NaN, latencyMs: -1 },
      { model: { name: "Bad_Name", version: "" }, topLabel: "x".repeat(300), message: "m".repeat(2000) },
    ]);
    const error = await rpcErrorOf(registry.client.recordDecision({ decision }));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    for (const field of [
      "decision.shadows[0].model",
      "decision.shadows[0].code",
      "decision.shadows[0].score_distance",
      "decision.shadows[0].latency_ms",
      "decision.shadows[1].model.name",
      "decision.shadows[1].model.version",
      "decision.shadows[1].top_label",
      "decision.shadows[1].message",
    ]) {
      expect(error.message).toContain(field);
    }
  });
});
