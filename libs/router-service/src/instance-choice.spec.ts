import { describe, expect, it } from "@jest/globals";
import { ExecutorService } from "@modelrouter/contracts";
import { Code, RpcError, createDirectClient } from "@modelrouter/rpc-kit";
import type { ExecutorInstance } from "./executor-instances.js";
import { chooseInstance } from "./instance-choice.js";
import { createInstanceBreaker, DEFAULT_BREAKER_SETTINGS, type InstanceBreaker } from "./instance-breaker.js";
import { createInstanceLoad } from "./instance-load.js";
import { wholeAnswerExecutor } from "./whole-answer-executor.test-support.js";

const client = createDirectClient(ExecutorService, wholeAnswerExecutor(() => Promise.reject(new Error("not called"))), { defaultTimeoutMs: 1000 });
const named = (...names: string[]): ExecutorInstance[] => names.map((name) => ({ name, client }));
const refused = new RpcError({ code: Code.UNAVAILABLE, message: "connect ECONNREFUSED" });
const eject = (breaker: InstanceBreaker, instance: string) => {
  for (let i = 0; i < DEFAULT_BREAKER_SETTINGS.consecutiveFailures; i += 1) breaker.begin(instance, 0).end(refused, 0);
};
const fresh = { triedForModel: new Set<string>(), failed: new Set<string>() };
/** Every instance `chooseInstance` picks over many draws. */
const picks = (instances: readonly ExecutorInstance[], breaker: InstanceBreaker, at: number) => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i += 1) seen.add(chooseInstance(instances, { load: createInstanceLoad(), breaker }, fresh, () => (i % 10) / 10, at)?.name ?? "none");
  return [...seen].sort();
};

describe("the choice of an executor instance", () => {
  it("skips an EJECTED instance", () => {
    const instances = named("a", "b", "c");
    const breaker = createInstanceBreaker(() => instances.map((i) => i.name));
    eject(breaker, "b");
    expect(picks(instances, breaker, 10)).toEqual(["a", "c"]);
  });

  it("sends a PROBING instance one request at a time", () => {
    const instances = named("a", "b");
    const breaker = createInstanceBreaker(() => instances.map((i) => i.name));
    eject(breaker, "b");
    const at = DEFAULT_BREAKER_SETTINGS.baseEjectionMs;
    expect(picks(instances, breaker, at)).toEqual(["a", "b"]);
    const probe = breaker.begin("b", at);
    expect(picks(instances, breaker, at)).toEqual(["a"]);
    probe.end(undefined, at);
    expect(picks(instances, breaker, at)).toEqual(["a", "b"]);
  });

  it("tries the ejected instances anyway when no other is left (panic mode)", () => {
    let instances = named("a", "b");
    const breaker = createInstanceBreaker(() => instances.map((i) => i.name));
    eject(breaker, "a");
    instances = named("a");
    expect(picks(instances, breaker, 10)).toEqual(["a"]);
    expect(chooseInstance(named("a", "b"), { load: createInstanceLoad(), breaker }, { triedForModel: new Set(["b"]), failed: new Set(["b"]) }, () => 0, 10)?.name).toBe("a");
  });

  it("prefers an instance that has not failed in this request, then one that has", () => {
    const instances = named("a", "b");
    const breaker = createInstanceBreaker(() => instances.map((i) => i.name));
    const history = (failed: string[]) => ({ triedForModel: new Set<string>(), failed: new Set(failed) });
    expect(chooseInstance(instances, { load: createInstanceLoad(), breaker }, history(["a"]), () => 0, 0)?.name).toBe("b");
    expect(chooseInstance(instances, { load: createInstanceLoad(), breaker }, history(["a", "b"]), () => 0, 0)?.name).toBe("a");
  });
});
