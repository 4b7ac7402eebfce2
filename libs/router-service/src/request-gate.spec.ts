import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type ExecuteRequest, type ExecutorService, type InferRequestSchema, RouterService } from "@modelrouter/contracts";
import { Code, createDirectClient, isRpcError, type RpcError, type ServiceClient, type ServiceImpl } from "@modelrouter/rpc-kit";
import { DEFAULT_ADAPTIVE_CONCURRENCY } from "./adaptive-concurrency.js";
import { type InProcessServices, compiledPolicy, digitImage as image, modelTarget, startInProcessServices } from "./in-process-services.test-support.js";
import { createRequestGate, type RequestGateSettings } from "./request-gate.js";
import type { Router } from "./router-service.js";
import { wholeAnswerExecutor } from "./whole-answer-executor.test-support.js";

/** The error a call failed with (or "OK"). */
async function outcomeOf(call: Promise<unknown>): Promise<RpcError | "OK"> {
  try {
    await call;
    return "OK";
  } catch (error) {
    if (isRpcError(error)) return error;
    throw error;
  }
}

type InferInit = MessageInitShape<typeof InferRequestSchema>;
const request = (tenant: string, tier = ""): InferInit => ({ payload: image, tenant, tier });

describe("the router's gate: per-tenant limits and admission control, before any downstream call", () => {
  let services: InProcessServices;
  let router: Router;
  let client: ServiceClient<typeof RouterService>;
  const held: (() => void)[] = [];
  let holding = false;
  let executed = 0;
  let analyzed = 0;
  let now = 0;
  const settings: RequestGateSettings = {
    tenants: {
      defaults: { ratePerSecond: 1, burst: 3, concurrency: 100 },
      overrides: new Map([["acme", { ratePerSecond: 1000, burst: 1000, concurrency: 2 }]]),
    },
    // A fixed limit of 4 in flight: the lowest tier may use half of it.
    admission: { ...DEFAULT_ADAPTIVE_CONCURRENCY, minLimit: 4, maxLimit: 4, initialLimit: 4 },
    tiers: ["premium", "standard", "free"],
  };

  beforeAll(async () => {
    services = await startInProcessServices();
    const holdingExecutor: ServiceImpl<typeof ExecutorService> = wholeAnswerExecutor(async (req: ExecuteRequest, ctx) => {
      executed += 1;
      if (holding) await new Promise<void>((go) => held.push(go));
      return services.executorImpl.execute(req, ctx);
    });
    const analyzer = services.analyzer;
    const countingAnalyzer: typeof analyzer = new Proxy(analyzer, {
      get: (target, name, receiver) => {
        if (name !== "analyze") return Reflect.get(target, name, receiver) as unknown;
        return (...args: Parameters<typeof analyzer.analyze>) => {
          analyzed += 1;
          return analyzer.analyze(...args);
        };
      },
    });
    router = services.router([compiledPolicy({ name: "digits", defaultRoute: { targets: [modelTarget("digits-general")] } })], {
      analyzer: countingAnalyzer,
      executorImpl: holdingExecutor,
      decisionLog: { sampleRate: 0, maxInFlight: 64, timeoutMs: 10_000 },
      gate: createRequestGate(settings, () => now),
    });
    client = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    holding = false;
    for (const go of held.splice(0)) go();
    await router?.close();
    await services?.close();
  });

  /** Starts `n` Infers that stay in flight (the executor holds them) and resolves once they all reached it. */
  async function holdInfers(requests: InferInit[]): Promise<Promise<unknown>[]> {
    holding = true;
    const before = executed;
    const calls = requests.map((r) => client.infer(r).catch((error: unknown) => error));
    while (executed - before < requests.length) await new Promise((resolve) => setTimeout(resolve, 5));
    return calls;
  }
  async function release(calls: Promise<unknown>[]): Promise<void> {
    holding = false;
    for (const go of held.splice(0)) go();
    await Promise.all(calls);
  }

  it("refuses a tenant over its rate limit with RESOURCE_EXHAUSTED TENANT_RATE_LIMITED, naming the tenant, the limit and when to retry", async () => {
    now = 10_000;
    for (let i = 0; i < 3; i++) expect(await outcomeOf(client.infer(request("globex")))).toBe("OK");
    // The analyzer counted here is the one the router calls: every admitted request went through it.
    expect(analyzed).toBe(3);
    const analyzedBefore = analyzed;
    const refused = await outcomeOf(client.infer(request("globex")));
    expect(analyzed).toBe(analyzedBefore);
    expect(refused).toMatchObject({
      code: Code.RESOURCE_EXHAUSTED,
      reason: "TENANT_RATE_LIMITED",
      metadata: { tenant: "globex", limit: "1/s", burst: "3", setting: "MODELROUTER_TENANT_LIMITS", retryAfterMs: "1000" },
    });
    expect((refused as RpcError).message).toBe(
      'tenant "globex" is over its rate limit of 1/s (burst 3); retry in 1000 ms (MODELROUTER_TENANT_LIMITS sets the limit)',
    );
    // Another tenant has a bucket of its own; the tenant is admitted again once a token came.
    expect(await outcomeOf(client.infer(request("initech")))).toBe("OK");
    now += 1000;
    expect(await outcomeOf(client.infer(request("globex")))).toBe("OK");
  });

  it("refuses a tenant at its concurrency quota on Infer, InferStream and Explain with TENANT_CONCURRENCY_LIMITED, until one ends", async () => {
    const calls = await holdInfers([request("acme"), request("acme")]);
    const before = { executed, analyzed };
    const infer = await outcomeOf(client.infer(request("acme")));
    const explain = await outcomeOf(client.explain({ request: request("acme") }));
    const stream = await outcomeOf(
      (async () => {
        for await (const _ of client.inferStream({ request: request("acme") })) void _;
      })(),
    );
    for (const refused of [infer, explain, stream]) {
      expect(refused).toMatchObject({ code: Code.RESOURCE_EXHAUSTED, reason: "TENANT_CONCURRENCY_LIMITED", metadata: { tenant: "acme", limit: "2", retryAfterMs: "100" } });
    }
    expect((infer as RpcError).message).toMatch(/^tenant "acme" has 2 requests in flight, its concurrency quota of 2; retry in 100 ms/);
    // Refused before any downstream call: neither the analyzer nor the executor saw them.
    expect({ executed, analyzed }).toEqual(before);
    await release(calls);
    expect(await outcomeOf(client.explain({ request: request("acme") }))).toBe("OK");
  });

  it("sheds the lowest tier first with UNAVAILABLE LOAD_SHED and a retry hint, while a higher tier is still admitted", async () => {
    now += 10_000;
    // A premium request in flight: the lower tiers make room for the premium ones.
    const calls = await holdInfers([request("t0", "premium"), request("t2", "free")]);
    const analyzedBefore = analyzed;
    const shed = await outcomeOf(client.infer(request("t3", "free")));
    expect(analyzed).toBe(analyzedBefore);
    expect(shed).toMatchObject({ code: Code.UNAVAILABLE, reason: "LOAD_SHED", metadata: { tier: "free", inFlight: "2", limit: "2" } });
    expect((shed as RpcError).message).toMatch(/^the router is overloaded: 2 requests are in flight, the limit for tier "free" \(2 of 4\); retry in \d+ ms or at another replica$/);
    // An unknown or empty tier is the lowest.
    expect(await outcomeOf(client.explain({ request: request("t3", "") }))).toMatchObject({ reason: "LOAD_SHED" });
    expect(await outcomeOf(client.explain({ request: request("t3", "gold") }))).toMatchObject({ reason: "LOAD_SHED", metadata: { tier: "gold" } });
    // The higher tiers have room left.
    expect(await outcomeOf(client.explain({ request: request("t3", "standard") }))).toBe("OK");
    expect(await outcomeOf(client.explain({ request: request("t3", "premium") }))).toBe("OK");
    await release(calls);
    expect(await outcomeOf(client.infer(request("t3", "free")))).toBe("OK");
  });

  it("frees a request's slot however it ends: refused downstream, invalid, or cancelled mid-stream", async () => {
    now += 10_000;
    // An executor failure, a model that does not exist: each request of acme (quota 2) ends and frees its slot.
    for (let i = 0; i < 5; i++) {
      expect(await outcomeOf(client.infer({ ...request("acme"), policy: "no-such-policy" }))).not.toBe("OK");
    }
    for (let i = 0; i < 3; i++) {
      const stream = client.inferStream({ request: request("acme") });
      for await (const event of stream) if (event.event.case === "start") break;
    }
    expect(await outcomeOf(client.infer(request("acme")))).toBe("OK");
    expect(await outcomeOf(client.infer(request("acme")))).toBe("OK");
  });
});
