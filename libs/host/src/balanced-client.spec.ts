import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { GetModelResponseSchema, ModelSchema, RegistryService, WatchModelsResponseSchema } from "@modelrouter/contracts";
import { Code, RpcError, type ServiceClient } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { createBalancedClient } from "./balanced-client.js";

const quiet = createLogger({ service: "test", write: () => undefined });

/** Instances that answer GetModel with their own address (or fail as told), a DNS zone the test edits, and what was opened and closed. */
function world(zone: Record<string, readonly string[]>) {
  const failing = new Map<string, Code>();
  const opened: string[] = [];
  const closed: string[] = [];
  const open = (address: string) => {
    opened.push(address);
    const client = {
      getModel: () => {
        const code = failing.get(address);
        if (code !== undefined) return Promise.reject(new RpcError({ code, message: `${address} fails` }));
        return Promise.resolve(create(GetModelResponseSchema, { model: create(ModelSchema, { name: address }) }));
      },
      watchModels: async function* () {
        yield create(WatchModelsResponseSchema, { revision: BigInt(opened.indexOf(address)) });
      },
    } as unknown as ServiceClient<typeof RegistryService>;
    return { client, close: () => closed.push(address) };
  };
  const lookup = (host: string) => (zone[host] === undefined ? Promise.reject(new Error(`ENOTFOUND ${host}`)) : Promise.resolve(zone[host]!));
  return { zone, failing, opened, closed, open, lookup };
}

const answeredBy = async (client: ServiceClient<typeof RegistryService>, n: number) => {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const name = (await client.getModel({ name: "m" })).model?.name ?? "";
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
};

describe("a client balanced over every address of a service", () => {
  it("sends each call to the next address in turn: every instance takes an even share", async () => {
    const w = world({ "decision.svc": ["10.0.0.1", "10.0.0.2"] });
    const balanced = createBalancedClient({ service: RegistryService, targets: ["decision.svc:50053", "10.0.0.9:50053"], open: w.open, lookup: w.lookup, intervalMs: 60_000, logger: quiet, what: "decision engine" });
    await balanced.ready;
    expect([...balanced.addresses()].sort()).toEqual(["10.0.0.1:50053", "10.0.0.2:50053", "10.0.0.9:50053"]);
    expect(await answeredBy(balanced.client, 300)).toEqual({ "10.0.0.1:50053": 100, "10.0.0.2:50053": 100, "10.0.0.9:50053": 100 });
    balanced.close();
    expect([...w.closed].sort()).toEqual(["10.0.0.1:50053", "10.0.0.2:50053", "10.0.0.9:50053"]);
  });

  it("takes in an instance that appears in DNS, and lets one that disappears go, closing its connection", async () => {
    const w = world({ "analyzer.svc": ["10.0.0.1"] });
    const balanced = createBalancedClient({ service: RegistryService, targets: ["analyzer.svc:50052"], open: w.open, lookup: w.lookup, intervalMs: 60_000, logger: quiet, what: "analyzer" });
    await balanced.ready;
    expect(await answeredBy(balanced.client, 4)).toEqual({ "10.0.0.1:50052": 4 });
    w.zone["analyzer.svc"] = ["10.0.0.1", "10.0.0.2"];
    await balanced.refresh();
    expect(await answeredBy(balanced.client, 4)).toEqual({ "10.0.0.1:50052": 2, "10.0.0.2:50052": 2 });
    w.zone["analyzer.svc"] = ["10.0.0.2"];
    await balanced.refresh();
    await new Promise((resolve) => setImmediate(resolve));
    expect(w.closed).toEqual(["10.0.0.1:50052"]);
    expect(await answeredBy(balanced.client, 4)).toEqual({ "10.0.0.2:50052": 4 });
    balanced.close();
  });

  it("sends a call refused UNAVAILABLE to the next address, each at most once, and gives up with the last refusal", async () => {
    const w = world({});
    const balanced = createBalancedClient({ service: RegistryService, targets: ["10.0.0.1:1", "10.0.0.2:1", "10.0.0.3:1"], open: w.open, lookup: w.lookup, intervalMs: 60_000, logger: quiet, what: "analyzer" });
    await balanced.ready;
    w.failing.set("10.0.0.1:1", Code.UNAVAILABLE);
    expect(await answeredBy(balanced.client, 30)).toEqual({ "10.0.0.2:1": 15, "10.0.0.3:1": 15 });
    w.failing.set("10.0.0.2:1", Code.UNAVAILABLE);
    w.failing.set("10.0.0.3:1", Code.UNAVAILABLE);
    await expect(balanced.client.getModel({ name: "m" })).rejects.toMatchObject({ code: Code.UNAVAILABLE, message: expect.stringMatching(/fails$/) });
    balanced.close();
  });

  it("does not repeat a call that failed for another reason", async () => {
    const w = world({});
    const balanced = createBalancedClient({ service: RegistryService, targets: ["10.0.0.1:1", "10.0.0.2:1"], open: w.open, lookup: w.lookup, intervalMs: 60_000, logger: quiet, what: "analyzer" });
    await balanced.ready;
    w.failing.set("10.0.0.1:1", Code.INVALID_ARGUMENT);
    w.failing.set("10.0.0.2:1", Code.INVALID_ARGUMENT);
    await expect(balanced.client.getModel({ name: "m" })).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
    balanced.close();
  });

  it("refuses UNAVAILABLE, naming the service, while no address is known, also for a stream", async () => {
    const w = world({});
    const balanced = createBalancedClient({ service: RegistryService, targets: ["nowhere.svc:1"], open: w.open, lookup: w.lookup, intervalMs: 60_000, logger: quiet, what: "decision engine" });
    await balanced.ready;
    await expect(balanced.client.getModel({ name: "m" })).rejects.toMatchObject({ code: Code.UNAVAILABLE, message: expect.stringContaining("no decision engine address is known") });
    const stream = balanced.client.watchModels({});
    await expect((async () => { for await (const _ of stream) break; })()).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    balanced.close();
  });
});
