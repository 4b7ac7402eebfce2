import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { RouterService } from "@modelrouter/contracts";
import {
  Code,
  createDirectClient,
  createGrpcChannel,
  createGrpcClient,
  createGrpcServer,
  isRpcError,
  RpcError,
  serviceRegistration,
  type Authenticator,
  type CallerIdentity,
  type GrpcChannel,
  type GrpcServer,
  type RpcError as RpcErrorType,
} from "@modelrouter/rpc-kit";
import { compiledPolicy, digitImage, digitSample, modelTarget, startInProcessServices, type InProcessServices } from "./in-process-services.test-support.js";
import type { Router } from "./router-service.js";

/** The credentials of the spec, as the deployment's authenticator would establish them. */
const identities: Readonly<Record<string, CallerIdentity>> = {
  acme: { kind: "api-key", subject: "key:acme", tenant: "acme", roles: ["client"] },
  globex: { kind: "api-key", subject: "key:globex", tenant: "globex", roles: ["client"] },
  admin: { kind: "api-key", subject: "admin-token", tenant: "", roles: ["admin"] },
  "acme-premium": { kind: "api-key", subject: "key:acme-premium", tenant: "acme", roles: ["client"], tier: "premium" },
};

const authenticate: Authenticator = (call) => {
  const identity = identities[(call.header("authorization") ?? "").replace(/^Bearer /, "")];
  return identity === undefined ? Promise.reject(new RpcError({ code: Code.UNAUTHENTICATED, message: "no such key" })) : Promise.resolve(identity);
};

async function failureOf(call: () => Promise<unknown>): Promise<RpcErrorType> {
  try {
    await call();
  } catch (error) {
    if (isRpcError(error)) return error;
    throw error;
  }
  throw new Error("the call succeeded");
}

describe("the router serves a caller confined to a tenant for that tenant only", () => {
  let services: InProcessServices;
  let router: Router;
  let server: GrpcServer;
  let channel: GrpcChannel;
  const as = (key: string) => createGrpcClient(RouterService, channel, { defaultTimeoutMs: 20_000, headers: { authorization: `Bearer ${key}` } });
  const loggedTenantOf = async (requestId: string): Promise<string | undefined> => {
    await router.recorder.settled(requestId);
    return (await services.registry.getDecision({ requestId })).decision?.tenant;
  };
  const loggedTierOf = async (requestId: string): Promise<string | undefined> => {
    await router.recorder.settled(requestId);
    return (await services.registry.getDecision({ requestId })).decision?.request?.tier;
  };

  beforeAll(async () => {
    services = await startInProcessServices();
    const policy = compiledPolicy({
      name: "by-tenant",
      rules: [
        { name: "premium", when: 'request.tier == "premium"', route: { targets: [modelTarget("digits-general")] } },
        { name: "acme", when: 'request.tenant == "acme"', route: { targets: [modelTarget("digits-lite")] } },
      ],
      defaultRoute: { targets: [modelTarget("digits-general")] },
    });
    router = services.router([policy]);
    server = createGrpcServer({ services: [serviceRegistration(RouterService, router.impl)], authenticate });
    channel = createGrpcChannel(`127.0.0.1:${await server.listen("127.0.0.1:0")}`);
  }, 60_000);

  afterAll(async () => {
    channel?.close();
    await server?.shutdown(100);
    await router?.close();
    await services?.close();
  });

  it("gives a request that names no tenant the key's tenant: the policies match it and the decision log records it", async () => {
    const answer = await as("acme").infer({ payload: digitImage });
    expect(answer.rule).toBe("acme");
    expect(answer.model?.name).toBe("digits-lite");
    expect(await loggedTenantOf(answer.requestId)).toBe("acme");
  });

  it("accepts a request that names the key's own tenant", async () => {
    const answer = await as("acme").infer({ payload: digitImage, tenant: "acme" });
    expect(answer.rule).toBe("acme");
  });

  it("refuses a request that names another tenant, PERMISSION_DENIED naming the field and the fix", async () => {
    const error = await failureOf(() => as("globex").infer({ payload: digitImage, tenant: "acme" }));
    expect(error.code).toBe(Code.PERMISSION_DENIED);
    expect(error.message).toContain('your key belongs to tenant "globex"; leave tenant empty');
    expect(error.violations.map((v) => v.field)).toEqual(["tenant"]);
  });

  it("names the nested field for Explain and InferStream", async () => {
    const explain = await failureOf(() => as("globex").explain({ request: { payload: digitImage, tenant: "acme" } }));
    expect(explain.code).toBe(Code.PERMISSION_DENIED);
    expect(explain.violations.map((v) => v.field)).toEqual(["request.tenant"]);
    const stream = await failureOf(async () => {
      for await (const _event of as("globex").inferStream({ request: { payload: digitImage, tenant: "acme" } })) {
        // nothing arrives before the refusal
      }
    });
    expect(stream.code).toBe(Code.PERMISSION_DENIED);
  });

  it("lets a caller of no tenant (an admin) act for the tenant the request names", async () => {
    const answer = await as("admin").infer({ payload: digitImage, tenant: "globex" });
    expect(answer.rule).not.toBe("acme");
    expect(await loggedTenantOf(answer.requestId)).toBe("globex");
  });

  it("takes feedback only on the caller's own tenant's requests; another's is not found, like an unknown id", async () => {
    const own = await as("acme").infer({ payload: digitImage });
    await router.recorder.settled(own.requestId);
    const accepted = await as("acme").submitFeedback({ requestId: own.requestId, feedback: { case: "label", value: digitSample.label } });
    expect(accepted.model?.name).toBe("digits-lite");

    const foreign = await failureOf(() => as("globex").submitFeedback({ requestId: own.requestId, feedback: { case: "label", value: digitSample.label } }));
    const unknown = await failureOf(() => as("globex").submitFeedback({ requestId: "never-seen", feedback: { case: "label", value: digitSample.label } }));
    expect(foreign.code).toBe(Code.NOT_FOUND);
    expect(foreign.reason).toBe(unknown.reason);
    expect(foreign.message.replace(own.requestId, "ID")).toBe(unknown.message.replace("never-seen", "ID"));
  });

  it("serves a caller whose credential has a tier at that tier: the policies match it and the decision log records it", async () => {
    const implied = await as("acme-premium").infer({ payload: digitImage });
    expect(implied.rule).toBe("premium");
    expect(await loggedTierOf(implied.requestId)).toBe("premium");
    const same = await as("acme-premium").infer({ payload: digitImage, tier: "premium" });
    expect(same.rule).toBe("premium");
  });

  it("refuses another tier to a caller whose credential has one, PERMISSION_DENIED naming the field and the fix", async () => {
    const error = await failureOf(() => as("acme-premium").infer({ payload: digitImage, tier: "free" }));
    expect(error.code).toBe(Code.PERMISSION_DENIED);
    expect(error.message).toContain('your credential is of tier "premium"; leave tier empty');
    expect(error.violations.map((v) => v.field)).toEqual(["tier"]);
    const explain = await failureOf(() => as("acme-premium").explain({ request: { payload: digitImage, tier: "free" } }));
    expect(explain.violations.map((v) => v.field)).toEqual(["request.tier"]);
  });

  it("keeps the request's tier for a caller whose credential has none", async () => {
    const answer = await as("acme").infer({ payload: digitImage, tier: "premium" });
    expect(answer.rule).toBe("premium");
    expect(await loggedTierOf(answer.requestId)).toBe("premium");
  });

  it("keeps the request's tenant when authentication is off (in-process calls are the anonymous admin)", async () => {
    const direct = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 20_000 });
    const answer = await direct.infer({ payload: digitImage, tenant: "acme" });
    expect(answer.rule).toBe("acme");
    expect(await loggedTenantOf(answer.requestId)).toBe("acme");
  });
});
