import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ExecuteResponseSchema, ExecutorService, type ExecuteResponse } from "@modelrouter/contracts";
import { Code, createDirectClient, isRpcError } from "@modelrouter/rpc-kit";
import { balancedExecutorClient, type ExecutorInstance, type ExecutorInstances } from "./executor-instances.js";
import { createInstanceBreaker } from "./instance-breaker.js";
import { createInstanceLoad } from "./instance-load.js";

/** An executor instance that answers every call once `release` settles. */
function instance(name: string, release: Promise<void>): ExecutorInstance {
  const client = createDirectClient(
    ExecutorService,
    {
      execute: async (): Promise<ExecuteResponse> => {
        await release;
        return create(ExecuteResponseSchema, { outputs: [] });
      },
    },
    { defaultTimeoutMs: 10_000 },
  );
  return { name, client };
}

describe("a client balanced over the executor instances", () => {
  it("runs each call on the less loaded instance, counting it while it runs", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const executors: ExecutorInstances = {
      list: () => [instance("a", gate), instance("b", gate)],
      load: createInstanceLoad(),
      breaker: createInstanceBreaker(() => ["a", "b"]),
    };
    const client = balancedExecutorClient(executors, () => 0);
    const model = { name: "digits-general", version: "1" };
    const calls = [client.execute({ model }), client.execute({ model }), client.execute({ model })];
    expect([executors.load.ofInstance("a"), executors.load.ofInstance("b")]).toEqual([2, 1]);
    expect(executors.load.models(4).map((m) => [m.model.name, m.inFlight])).toEqual([["digits-general", 3]]);
    release();
    await Promise.all(calls);
    expect([executors.load.ofInstance("a"), executors.load.ofInstance("b")]).toEqual([0, 0]);
  });

  it("fails UNAVAILABLE, saying why, when no instance is known", async () => {
    const client = balancedExecutorClient({ list: () => [], load: createInstanceLoad(), breaker: createInstanceBreaker(() => []) });
    const error = await client.execute({}).catch((e: unknown) => e);
    expect(isRpcError(error) && [error.code, error.message]).toEqual([Code.UNAVAILABLE, expect.stringContaining("no executor instance is known")]);
  });
});
