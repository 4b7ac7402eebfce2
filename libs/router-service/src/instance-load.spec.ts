import { describe, expect, it } from "@jest/globals";
import { createInstanceLoad } from "./instance-load.js";

const general = { name: "digits-general", version: "1" };
const lite = { name: "digits-lite", version: "2" };

describe("the router's calls in flight", () => {
  it("counts each call per instance and per model version until it ends, once", () => {
    const load = createInstanceLoad();
    const first = load.begin("a", general);
    const second = load.begin("a", lite);
    load.begin("b", lite);
    expect([load.ofInstance("a"), load.ofInstance("b"), load.ofInstance("c")]).toEqual([2, 1, 0]);
    first();
    first();
    second();
    expect(load.ofInstance("a")).toBe(0);
    expect(load.models(10).map(({ model, inFlight }) => [model.name, model.version, inFlight])).toEqual([["digits-lite", "2", 1]]);
  });

  it("reports only model versions with calls in flight, the busiest first, at most as many as asked", () => {
    const load = createInstanceLoad();
    load.begin("a", general);
    load.begin("a", lite);
    load.begin("b", lite);
    load.begin("b", { name: "digits-lowres-specialist", version: "1" })();
    expect(load.models(10).map(({ model, inFlight }) => [model.name, inFlight])).toEqual([
      ["digits-lite", 2],
      ["digits-general", 1],
    ]);
    expect(load.models(1).map(({ model }) => model.name)).toEqual(["digits-lite"]);
  });

  it("tells when an instance has no call left in flight", async () => {
    const load = createInstanceLoad();
    await load.idle("a");
    const end = load.begin("a", general);
    let idle = false;
    const waiting = load.idle("a").then(() => {
      idle = true;
    });
    await Promise.resolve();
    expect(idle).toBe(false);
    end();
    await waiting;
    expect(idle).toBe(true);
  });
});
