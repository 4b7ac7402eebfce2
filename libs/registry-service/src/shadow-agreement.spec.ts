import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ShadowResultSchema } from "@modelrouter/contracts";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@modelrouter/rpc-kit";
import { backendFor, uniqueName, validDecision, type Backend, type Registry } from "./registry.test-support.js";

describe("shadow agreement in ListModelStats (pglite)", () => {
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

  const record = (atMs: number, shadows: MessageInitShape<typeof ShadowResultSchema>[]) =>
    registry.client.recordDecision({
      decision: validDecision({ requestId: uniqueName("req"), time: timestampFromMs(atMs), shadows }),
    });

  it("counts, per shadow version, the mirrored answers in the window and those with the primary's top label", async () => {
    const shadow = uniqueName("shadow");
    const other = uniqueName("other");
    const now = Date.now();
    const answer = (name: string, same: boolean) => ({ model: { name, version: "2" }, code: 0, topLabel: "7", sameTopLabel: same });
    await record(now, [answer(shadow, true), answer(other, false)]);
    await record(now, [answer(shadow, true)]);
    await record(now, [answer(shadow, false)]);
    await record(now, [{ model: { name: shadow, version: "2" }, code: Code.RESOURCE_EXHAUSTED, message: "dropped: load" }]);
    await record(now - 3_600_000, [answer(shadow, false)]);
    await registry.client.listDecisions({ pageSize: 1 }); // the decision log writes behind; listing flushes it

    const { stats } = await registry.client.listModelStats({ model: shadow });
    expect(stats.map((s) => [s.model?.name, s.model?.version, s.shadowed, s.shadowAgreed])).toEqual([[shadow, "2", 3n, 2n]]);
    expect(stats[0]?.shadowAgreement).toBeCloseTo(2 / 3, 10);
    expect(stats[0]?.requests).toBe(0n);

    const all = await registry.client.listModelStats({});
    const byName = new Map(all.stats.map((s) => [s.model?.name, s]));
    expect([byName.get(other)?.shadowed, byName.get(other)?.shadowAgreed, byName.get(other)?.shadowAgreement]).toEqual([1n, 0n, 0]);
  });

  it("reports no shadow figures for a version that was never a shadow", async () => {
    const primary = uniqueName("primary");
    const requestId = uniqueName("req");
    await registry.client.recordDecision({
      decision: validDecision({ requestId, model: { name: primary, version: "1" }, attempted: [{ name: primary, version: "1" }] }),
    });
    await registry.client.recordFeedback({ requestId, value: { case: "label", value: "7" } });
    const { stats } = await registry.client.listModelStats({ model: primary });
    expect(stats.map((s) => [s.labelled, s.shadowed, s.shadowAgreement])).toEqual([[1n, 0n, 0]]);
  });
});
