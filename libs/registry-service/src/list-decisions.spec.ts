import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { DecisionRecord, ListDecisionsRequestSchema } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import { decisionQuery } from "./store/decision-query.js";
import {
  backendFor,
  rpcErrorOf,
  uniqueName,
  validDecision,
  type Backend,
  type Driver,
  type Registry,
} from "./registry.test-support.js";

const drivers: Driver[] = ["pglite", "postgres"];

const MINUTE_MS = 60_000;

/** The filters and page of a ListDecisions request. */
type Query = Omit<MessageInitShape<typeof ListDecisionsRequestSchema>, "$typeName">;

describe.each(drivers)("ListDecisions on %s", (driver) => {
  const nowMs = Date.now();
  let backend: Backend;
  let registry: Registry;

  beforeAll(async () => {
    backend = await backendFor(driver);
    registry = await backend.open();
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  /** Records decisions of one tenant no other test uses, `minutesAgo` apart, and returns the tenant. */
  const recordAll = async (
    decisions: readonly (Parameters<typeof validDecision>[0] & { minutesAgo: number; id: string })[],
  ): Promise<string> => {
    const tenant = uniqueName("tenant");
    for (const { minutesAgo, id, ...fields } of decisions) {
      const decision = validDecision({ tenant, time: timestampFromMs(nowMs - minutesAgo * MINUTE_MS), ...fields, requestId: `${tenant}-${id}` });
      await registry.client.recordDecision({ decision });
    }
    return tenant;
  };

  const list = async (
    tenant: string,
    filters: Omit<Query, "tenant"> = {},
  ): Promise<string[]> => {
    const { decisions } = await registry.client.listDecisions({ tenant, ...filters });
    return decisions.map((d: DecisionRecord) => d.requestId.slice(tenant.length + 1));
  };

  it("lists a tenant's decisions newest first, and filters by each field", async () => {
    const tenant = await recordAll([
      { id: "a", minutesAgo: 40, model: { name: "digits-lowres", version: "1" }, policy: "digits-routing", rule: "images", policyRevision: 7n },
      { id: "b", minutesAgo: 30, model: { name: "digits-general", version: "2" }, policy: "digits-routing", rule: "fallback", policyRevision: 9n, fallbackUsed: false },
      { id: "c", minutesAgo: 20, model: undefined, code: 14, policy: "other", rule: "", attempted: [], fallbackUsed: false },
      { id: "d", minutesAgo: 10, model: { name: "digits-lowres", version: "2" }, policy: "digits-routing", rule: "images", policyRevision: 9n },
    ]);

    expect(await list(tenant)).toEqual(["d", "c", "b", "a"]);
    expect(await list(tenant, { model: "digits-lowres" })).toEqual(["d", "a"]);
    expect(await list(tenant, { policy: "digits-routing", rule: "images" })).toEqual(["d", "a"]);
    expect(await list(tenant, { policyRevision: 9n })).toEqual(["d", "b"]);
    expect(await list(tenant, { code: 0 })).toEqual(["d", "b", "a"]);
    expect(await list(tenant, { code: 14 })).toEqual(["c"]);
    expect(await list(tenant, { fallbackUsed: true })).toEqual(["d", "a"]);
    expect(await list(tenant, { fallbackUsed: false })).toEqual(["c", "b"]);
    expect(
      await list(tenant, { startTime: timestampFromMs(nowMs - 30 * MINUTE_MS), endTime: timestampFromMs(nowMs - 10 * MINUTE_MS) }),
    ).toEqual(["c", "b"]);
    expect(await list(uniqueName("tenant"))).toEqual([]);
  });

  it("returns each decision whole, with its feedback", async () => {
    const tenant = await recordAll([{ id: "a", minutesAgo: 1 }]);
    const { decision } = await registry.client.recordFeedback({ requestId: `${tenant}-a`, value: { case: "label", value: "7" } });
    expect((await registry.client.listDecisions({ tenant })).decisions).toEqual([decision]);
  });

  it("pages newest first, ties in time broken by request id, with tokens bound to the filters", async () => {
    const tenant = await recordAll([
      { id: "a", minutesAgo: 5 },
      { id: "b", minutesAgo: 5 },
      { id: "c", minutesAgo: 5 },
      { id: "d", minutesAgo: 3 },
      { id: "e", minutesAgo: 1 },
    ]);
    const seen: string[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page: { decisions: DecisionRecord[]; nextPageToken: string } = await registry.client.listDecisions({ tenant, pageSize: 2, pageToken });
      seen.push(...page.decisions.map((d) => d.requestId.slice(tenant.length + 1)));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken !== "" && pages < 10);

    expect(seen).toEqual(["e", "d", "c", "b", "a"]);
    expect(pages).toBe(3);
    const first = await registry.client.listDecisions({ tenant, pageSize: 2 });
    const error = await rpcErrorOf(registry.client.listDecisions({ tenant, code: 0, pageToken: first.nextPageToken }));
    expect([error.code, error.violations.map((v) => v.field)]).toEqual([Code.INVALID_ARGUMENT, ["page_token"]]);
  });

  it("names every bad filter and how to fix it", async () => {
    const bad: Query = {
      startTime: timestampFromMs(nowMs),
      endTime: timestampFromMs(nowMs - MINUTE_MS),
      model: "Not A Name",
      policyRevision: -1n,
      code: 99,
      pageToken: "garbage!",
    };
    const error = await rpcErrorOf(registry.client.listDecisions(bad));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.violations.map((v) => v.field)).toEqual(["end_time", "model", "policy_revision", "code"]);
    expect(error.violations[0]?.description).toMatch(/is not after start_time.*give a range that ends after it starts/);
  });

  it.each([
    ["tenant", { tenant: "acme" }, "registry_decisions_tenant"],
    ["model", { model: "digits-lowres", code: 0 }, "registry_decisions_model"],
    ["policy and rule", { policy: "digits-routing", rule: "images" }, "registry_decisions_policy"],
    ["policy revision", { policyRevision: 9n, fallbackUsed: true }, "registry_decisions_policy_revision"],
    ["time range", { startTime: new Date(nowMs - MINUTE_MS), endTime: new Date(nowMs) }, "registry_decisions_newest"],
  ] as const)("reads a %s filter through an index in the listing's order, without sorting", async (_what, filter, index) => {
    const { sql, params } = decisionQuery(filter, { size: 50, after: { time: new Date(nowMs).toISOString(), requestId: "r" } });
    const plan = await registry.db.transaction(async (tx) => {
      await tx.query("SET LOCAL enable_seqscan = off");
      const { rows } = await tx.query(`EXPLAIN ${sql}`, params);
      return rows.map((row) => String(row["QUERY PLAN"])).join("\n");
    });
    expect(plan).toContain(index);
    expect(plan).not.toMatch(/Sort/);
  });
});
