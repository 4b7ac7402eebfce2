import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type BanditArm, type DecisionRecord, Strategy } from "@modelrouter/contracts";
import { banditDigest } from "@modelrouter/policy";
import { Code } from "@modelrouter/rpc-kit";
import {
  backendFor,
  rpcErrorOf,
  uniqueName,
  validDecision,
  validModel,
  validPolicy,
  type Backend,
  type Driver,
  type Registry,
} from "../registry.test-support.js";

const drivers: Driver[] = ["pglite", "postgres"];

/** The arm's figures as plain numbers, to compare. */
function figures(arm: BanditArm | undefined): { pulls: number; sum: number; squares: number; d: number; gram: number[]; rx: number[] } {
  return {
    pulls: Number(arm?.pulls ?? -1n),
    sum: arm?.rewardSum ?? -1,
    squares: arm?.rewardSquareSum ?? -1,
    d: arm?.dimension ?? -1,
    gram: [...(arm?.gram ?? [])],
    rx: [...(arm?.rewardFeatures ?? [])],
  };
}

describe.each(drivers)("bandit arms learning from feedback on %s", (driver) => {
  const clockMs = Date.UTC(2025, 5, 1, 12, 0, 0);
  let backend: Backend;
  let registry: Registry;

  beforeAll(async () => {
    backend = await backendFor(driver);
    registry = await backend.open({ store: { now: () => new Date(clockMs) } });
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  /** Records a decision of `bandit` answered by digits-lowres 1 with top label "7" and these features. */
  const served = async (bandit: string, features: number[], overrides: Parameters<typeof validDecision>[0] = {}): Promise<DecisionRecord> => {
    const d = validDecision({ requestId: uniqueName("req"), time: timestampFromMs(clockMs), bandit, features, ...overrides });
    await registry.client.recordDecision({ decision: d });
    return d;
  };
  const label = (d: DecisionRecord, value: string) => registry.client.recordFeedback({ requestId: d.requestId, value: { case: "label", value } });
  const reward = (d: DecisionRecord, value: number) => registry.client.recordFeedback({ requestId: d.requestId, value: { case: "reward", value } });
  const arms = async (bandit: string): Promise<BanditArm[]> => (await registry.client.listBanditArms({ bandit })).arms;

  it("applies migration 5: the arms table exists and starts empty", async () => {
    const { rows } = await registry.db.query("SELECT max(version) AS version FROM registry_schema_migrations");
    expect(Number(rows[0]?.["version"])).toBeGreaterThanOrEqual(5);
    expect(await arms(uniqueName("nobody"))).toEqual([]);
  });

  it("learns a right answer as 1 and a wrong one as 0, with Σxxᵀ and Σrx over x = (1, features)", async () => {
    const bandit = `${uniqueName("p")}/default#0badcafe`;
    await label(await served(bandit, [1, 16]), "7");
    await label(await served(bandit, [0, 28]), "3");
    const [arm] = await arms(bandit);
    expect(arm?.model?.name).toBe("digits-lowres");
    expect(arm?.model?.version).toBe("1");
    expect(figures(arm)).toEqual({
      pulls: 2,
      sum: 1,
      squares: 1,
      d: 3,
      gram: [2, 1, 44, 1, 1, 16, 44, 16, 256 + 784],
      rx: [1, 1, 16],
    });
    expect(arm?.updateTime).toEqual(timestampFromMs(clockMs));
  });

  it("replaces earlier feedback without counting the request twice", async () => {
    const bandit = `${uniqueName("p")}/rule#00000001`;
    const d = await served(bandit, []);
    await label(d, "3");
    await label(d, "7");
    await label(d, "7");
    expect(figures((await arms(bandit))[0])).toMatchObject({ pulls: 1, sum: 1, squares: 1, d: 0, gram: [], rx: [] });
    await reward(d, 0.5);
    expect(figures((await arms(bandit))[0])).toMatchObject({ pulls: 1, sum: 0.5, squares: 0.25 });
    await reward(d, 7);
    expect(figures((await arms(bandit))[0])).toMatchObject({ pulls: 1, sum: 1, squares: 1 });
  });

  it("learns by the route's reward expression, with the decision's latency and the served version's cost", async () => {
    const name = uniqueName("rewarded");
    const reward = "(feedback.correct ? 1.0 : 0.0) - latency_ms / 100.0 - cost / 10.0";
    const model = uniqueName("m");
    await registry.client.registerModel({ model: validModel({ name: model, version: "1", metrics: { costPerRequest: 2 } }) });
    const route = {
      strategy: Strategy.BANDIT,
      targets: [{ kind: { case: "model" as const, value: { name: model } } }],
      bandit: { features: ["input.image.width <= 16"], reward },
    };
    await registry.client.applyPolicy({ policy: validPolicy(name, model, { rules: [], defaultRoute: route }) });
    const bandit = `${name}/default#${banditDigest(["input.image.width <= 16"], reward)}`;
    const d = await served(bandit, [1], { model: { name: model, version: "1" }, latencyMs: 20 });
    await label(d, "7");
    expect(figures((await arms(bandit))[0])).toMatchObject({ pulls: 1, sum: expect.closeTo(0.6, 12), rx: [expect.closeTo(0.6, 12), expect.closeTo(0.6, 12)] });
    await label(d, "3");
    expect(figures((await arms(bandit))[0])).toMatchObject({ pulls: 1, sum: expect.closeTo(0, 12), rx: [expect.closeTo(0, 12), expect.closeTo(0, 12)] });
    const stale = `${name}/default#${banditDigest([], "")}`;
    await label(await served(stale, [], { model: { name: model, version: "1" }, latencyMs: 20 }), "7");
    expect(figures((await arms(stale))[0])).toMatchObject({ pulls: 1, sum: 1 });
  });

  it("learns nothing from decisions no bandit chose or no model answered", async () => {
    const bandit = `${uniqueName("p")}/default#00000002`;
    await label(await served("", []), "7");
    await label(await served(bandit, [], { code: 14, model: undefined, topLabel: "" }), "7");
    expect(await arms(bandit)).toEqual([]);
  });

  it("lists one bandit's arms or every bandit's, ordered by bandit then model", async () => {
    const prefix = uniqueName("q");
    await label(await served(`${prefix}/b#00000000`, [], { model: { name: "digits-general", version: "2" } }), "7");
    await label(await served(`${prefix}/b#00000000`, []), "7");
    await label(await served(`${prefix}/a#00000000`, []), "7");
    const all = (await arms("")).filter((a) => a.bandit.startsWith(prefix));
    expect(all.map((a) => `${a.bandit} ${a.model?.name}`)).toEqual([
      `${prefix}/a#00000000 digits-lowres`,
      `${prefix}/b#00000000 digits-general`,
      `${prefix}/b#00000000 digits-lowres`,
    ]);
  });

  it("refuses a bandit key too long to be one, naming the field", async () => {
    const error = await rpcErrorOf(registry.client.listBanditArms({ bandit: "x".repeat(600) }));
    expect([error.code, error.reason]).toEqual([Code.INVALID_ARGUMENT, "INVALID_FIELD"]);
    expect(error.violations.map((v) => `${v.field}: ${v.description}`)).toEqual([expect.stringMatching(/^bandit: has 600 characters/)]);
  });
});
