import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { clone, create, toJsonString, type DescMessage, type DescService, type MessageShape } from "@bufbuild/protobuf";
import fc from "fast-check";
import { createApiKeyCache, createAuthenticator, internalHeaders, roleName } from "@modelrouter/auth";
import { createAnalyzerService, createLanguageDetector } from "@modelrouter/analyzer-service";
import {
  AnalyzerService,
  DecisionService,
  ExplainResponseSchema,
  GetDecisionResponseSchema,
  GetModelResponseSchema,
  GetPolicyResponseSchema,
  ListApiKeysResponseSchema,
  ListAuditEventsResponseSchema,
  ListDecisionsResponseSchema,
  ListModelsResponseSchema,
  ListPoliciesResponseSchema,
  ListPolicyRevisionsResponseSchema,
  ModelSchema,
  PolicySchema,
  RegistryService,
  Role,
  RouterService,
  SubmitFeedbackResponseSchema,
  type Model,
  type Policy,
} from "@modelrouter/contracts";
import { createDecisionService } from "@modelrouter/decision-service";
import { loadDemoModels } from "@modelrouter/model-zoo";
import { compilePolicy, createModelCatalogue, type CompiledPolicy } from "@modelrouter/policy";
import { verifyApiKeyIn } from "@modelrouter/registry-service";
import { createRegistryService, openPgliteDatabase, openRegistryStore, type RegistryStore } from "@modelrouter/registry-service/testing";
import {
  Code,
  codeName,
  createDirectClient,
  isRpcError,
  type Authenticator,
  type CallContext,
  type CallerIdentity,
  type ServiceClient,
  type ServiceImpl,
} from "@modelrouter/rpc-kit";
import { deadExecutor } from "./dead-executor.test-support.js";
import { singleExecutor } from "./executor-instances.js";
import { digitImage } from "./in-process-services.test-support.js";
import { createRouterService, type Router } from "./router-service.js";
import { quiet } from "./zoo-executor.test-support.js";

/**
 * The security property of tenancy: whoever calls, with whatever credential, no read RPC of the registry or the
 * router ever shows it a resource of a tenant it may not see. A random world (tenants, their models, policies,
 * decisions and API keys of every role, and shared ones) is built once in the real services (registry on PGlite,
 * analyzer, decision engine, router) in this process; then each case draws a credential and a read with random
 * arguments, runs the real authenticator and the real handler, and checks the answer against a reference model.
 */

const CASES = 10_000;
const SEED = 0x7e4a47;
const INTERNAL_TOKEN = "prop-internal-token-6c0e1b";
const ADMIN_TOKEN = "prop-admin-token-2f9d8a";
const SUITE = "tenancy-prop";

interface World {
  readonly tenants: readonly string[];
  /** Each resource's tenant ("" for shared), by name or request id. */
  readonly models: ReadonlyMap<string, string>;
  readonly policies: ReadonlyMap<string, string>;
  readonly decisions: ReadonlyMap<string, string>;
}

/** A world: 2 to 4 tenants, each with 1 to 3 models, a policy and 1 to 4 logged decisions; a shared model and policy. */
const worldArbitrary = fc
  .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{1,7}$/), { minLength: 2, maxLength: 4 })
  .chain((tenants) =>
    fc.tuple(
      fc.constant(tenants),
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: tenants.length, maxLength: tenants.length }),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: tenants.length, maxLength: tenants.length }),
    ),
  )
  .map(([tenants, modelCounts, decisionCounts]): World => {
    const models = new Map<string, string>([["mdl-shared-1x", ""]]);
    const policies = new Map<string, string>([["pol-shared-x", ""]]);
    const decisions = new Map<string, string>();
    tenants.forEach((tenant, t) => {
      for (let i = 1; i <= (modelCounts[t] ?? 1); i++) models.set(`mdl-${tenant}-${i}x`, tenant);
      policies.set(`pol-${tenant}-x`, tenant);
      for (let i = 1; i <= (decisionCounts[t] ?? 1); i++) decisions.set(`req-${tenant}-${i}x`, tenant);
    });
    decisions.set("req-none-1x", "");
    return { tenants, models, policies, decisions };
  });

/** Who a caller is allowed to see, the reference model: the registry's and the router's rules, written out. */
const reference = {
  /** Models and policies (and requests served): a confined caller (not admin, not a service, of a tenant) sees its own and shared ones. */
  confined(identity: CallerIdentity): string | undefined {
    return identity.kind === "internal" || identity.roles.includes("admin") || identity.tenant === "" ? undefined : identity.tenant;
  },
  seesResource(identity: CallerIdentity, tenant: string): boolean {
    const own = reference.confined(identity);
    return own === undefined || tenant === "" || tenant === own;
  },
  /** Decisions: everyone but admins and services sees only its own tenant's (no shared decisions). */
  seesDecision(identity: CallerIdentity, tenant: string): boolean {
    if (identity.kind === "internal" || identity.roles.includes("admin")) return true;
    return identity.tenant !== "" && tenant === identity.tenant;
  },
};

/** `impl`, every call of which the handler sees as made by `identity` (what the authenticator establishes). */
function as<S extends DescService>(service: S, impl: ServiceImpl<S>, identity: CallerIdentity): ServiceClient<S> {
  const methods = impl as unknown as Readonly<Record<string, (request: unknown, ctx: CallContext) => unknown>>;
  const wrapped: Record<string, (request: unknown, ctx: CallContext) => unknown> = {};
  for (const [name, method] of Object.entries(methods)) {
    wrapped[name] = (request, ctx) => method.call(impl, request, { ...ctx, identity });
  }
  return createDirectClient(service, wrapped as unknown as ServiceImpl<S>, { defaultTimeoutMs: 20_000 });
}

type Outcome = { readonly ok: true; readonly json: string; readonly value: unknown } | { readonly ok: false; readonly code: string; readonly reason: string; readonly message: string };

async function outcomeOf<T extends DescMessage>(schema: T, call: Promise<MessageShape<T>>): Promise<Outcome> {
  try {
    const value = await call;
    return { ok: true, json: toJsonString(schema, value), value };
  } catch (error) {
    if (isRpcError(error)) return { ok: false, code: codeName(error.code), reason: error.reason ?? "", message: error.message };
    throw error;
  }
}

describe("tenancy: no read of the registry or the router shows a caller another tenant's resources", () => {
  const [world] = fc.sample(worldArbitrary, { seed: SEED, numRuns: 1 }) as [World];
  let store: RegistryStore;
  let registryImpl: ServiceImpl<typeof RegistryService>;
  let router: Router;
  let executor: Awaited<ReturnType<typeof deadExecutor>>;
  let authenticate: Authenticator;
  const keys: { token: string; tenant: string; role: Role; revoked: boolean }[] = [];
  const tally = { cases: 0, allowed: 0, refused: 0, drawnReads: new Map<string, number>(), checkedReads: new Map<string, number>() };

  beforeAll(async () => {
    store = await openRegistryStore({ db: await openPgliteDatabase(), logger: quiet });
    registryImpl = createRegistryService({ store, logger: quiet });
    const admin = createDirectClient(RegistryService, registryImpl, { defaultTimeoutMs: 20_000 });
    const template = loadDemoModels().find((m) => m.name === "digits-lite")!;
    const models: Model[] = [];
    for (const [name, tenant] of world.models) {
      const model = clone(ModelSchema, template);
      Object.assign(model, { name, tenant, labels: { ...model.labels, suite: SUITE } });
      models.push((await admin.registerModel({ model })).model!);
    }
    const policies: Policy[] = [];
    for (const [name, tenant] of world.policies) {
      const own = [...world.models].filter(([, t]) => t === tenant).map(([m]) => m);
      const policy = create(PolicySchema, {
        name,
        tenant,
        priority: tenant === "" ? 1 : 10,
        rules: [{ name: `r-${name}`, when: 'input.modality == "image"', route: { targets: own.map((m) => ({ kind: { case: "model" as const, value: { name: m } } })) } }],
        defaultRoute: { targets: [{ kind: { case: "selector", value: { matchLabels: { suite: SUITE } } } }] },
      });
      policies.push((await admin.applyPolicy({ policy })).policy!);
    }
    for (const [requestId, tenant] of world.decisions) {
      const policy = tenant === "" ? "pol-shared-x" : `pol-${tenant}-x`;
      const model = [...world.models].find(([, t]) => t === tenant)?.[0] ?? "mdl-shared-1x";
      await admin.recordDecision({
        decision: { requestId, tenant, policy, model: { name: model, version: "1" }, time: { seconds: BigInt(Math.floor(Date.now() / 1000)), nanos: 0 }, topLabel: "7", modality: template.modality },
      });
    }
    for (const tenant of world.tenants) {
      for (const role of [Role.ADMIN, Role.POLICY_EDITOR, Role.CLIENT, Role.VIEWER]) {
        const created = await admin.createApiKey({ key: { tenant, roles: [role] } });
        keys.push({ token: created.secret, tenant, role, revoked: false });
      }
      const revoked = await admin.createApiKey({ key: { tenant, roles: [Role.VIEWER] } });
      await admin.revokeApiKey({ id: revoked.key!.id });
      keys.push({ token: revoked.secret, tenant, role: Role.VIEWER, revoked: true });
    }
    authenticate = createAuthenticator({
      mode: "on",
      internalToken: INTERNAL_TOKEN,
      adminToken: ADMIN_TOKEN,
      verifyApiKey: createApiKeyCache(verifyApiKeyIn(store), { ttlMs: 60_000 }),
    });

    const compiled = policies.map((p) => {
      const result = compilePolicy(p);
      if (result.kind !== "compiled") throw new Error(JSON.stringify(result.violations));
      return result.policy;
    }) satisfies CompiledPolicy[];
    const catalogue = createModelCatalogue(models, 1n);
    const decision = createDirectClient(DecisionService, createDecisionService({ catalogue: { snapshot: () => ({ revision: 1n, catalogue, policies: compiled }) }, random: () => 0.5 }), {
      defaultTimeoutMs: 20_000,
    });
    const analyzer = createDirectClient(AnalyzerService, createAnalyzerService({ languageDetector: await createLanguageDetector() }), { defaultTimeoutMs: 20_000 });
    executor = await deadExecutor();
    router = createRouterService({
      analyzer,
      decision,
      executors: singleExecutor(executor.client),
      registry: admin,
      logger: quiet,
      limits: { defaultDeadlineMs: 20_000, maxDeadlineMs: 30_000, maxAttempts: 1 },
      decisionLog: { sampleRate: 1, maxInFlight: 64, timeoutMs: 20_000 },
      shadows: { maxInFlight: 4, maxDeadlineMs: 20_000 },
    });
  }, 300_000);

  afterAll(async () => {
    await router?.close();
    executor?.close();
    await store?.close();
  });

  /** Every name or id of the world a caller may not see. */
  const hiddenFrom = (identity: CallerIdentity): string[] => [
    ...[...world.models, ...world.policies].filter(([, tenant]) => !reference.seesResource(identity, tenant)).map(([name]) => name),
    ...[...world.decisions].filter(([, tenant]) => !reference.seesDecision(identity, tenant)).map(([id]) => id),
  ];
  /** Everything of the world not of `tenant` nor shared: what a request served for `tenant` must never mention. */
  const otherTenantsOf = (tenant: string): string[] =>
    [...world.models, ...world.policies].filter(([, owner]) => owner !== "" && owner !== tenant).map(([name]) => name);
  const worldNames = (names: readonly string[], of: ReadonlyMap<string, string>) => names.filter((n) => of.has(n)).sort();
  const visible = (of: ReadonlyMap<string, string>, sees: (tenant: string) => boolean) => [...of].filter(([, t]) => sees(t)).map(([n]) => n).sort();

  /** Some name of `of`, or one the world never had. */
  const someName = (of: ReadonlyMap<string, string>, unknown: string) => fc.oneof(fc.constantFrom(...of.keys()), fc.constant(unknown));
  const someTenant = () => fc.oneof(fc.constantFrom(...world.tenants), fc.constant(""), fc.constant("stranger"));

  const reads = () =>
    fc.oneof(
      someName(world.decisions, "req-unknown-x").map((requestId) => ({ rpc: "GetDecision" as const, requestId })),
      someTenant().map((tenant) => ({ rpc: "ListDecisions" as const, tenant })),
      someName(world.models, "mdl-unknown-x").map((name) => ({ rpc: "GetModel" as const, name })),
      fc.constant({ rpc: "ListModels" as const }),
      someName(world.policies, "pol-unknown-x").map((name) => ({ rpc: "GetPolicy" as const, name })),
      fc.constant({ rpc: "ListPolicies" as const }),
      someName(world.policies, "pol-unknown-x").map((name) => ({ rpc: "ListPolicyRevisions" as const, name })),
      someTenant().map((tenant) => ({ rpc: "ListApiKeys" as const, tenant })),
      fc.constant({ rpc: "ListAuditEvents" as const }),
      someName(world.decisions, "req-unknown-x").map((requestId) => ({ rpc: "SubmitFeedback" as const, requestId })),
      someTenant().map((tenant) => ({ rpc: "Explain" as const, tenant })),
    );

  type Credential = { readonly name: string; readonly headers: Record<string, string> };
  const credentials = (): fc.Arbitrary<Credential> =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...keys).map((k) => ({ name: `${k.revoked ? "revoked " : ""}${roleName(k.role)} key of ${k.tenant}`, headers: { authorization: `Bearer ${k.token}` } })) },
      { weight: 1, arbitrary: fc.constant({ name: "admin token", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }) },
      { weight: 1, arbitrary: fc.constant({ name: "internal credential", headers: internalHeaders("decision-engine", INTERNAL_TOKEN) }) },
      { weight: 1, arbitrary: fc.constant({ name: "no credential", headers: {} }) },
    );

  const PATHS: Record<string, string> = {
    SubmitFeedback: "/modelrouter.router.v1.RouterService/SubmitFeedback",
    Explain: "/modelrouter.router.v1.RouterService/Explain",
  };
  const pathOf = (rpc: string) => PATHS[rpc] ?? `/modelrouter.registry.v1.RegistryService/${rpc}`;

  it(`holds for ${CASES} random credentials and reads`, async () => {
    await fc.assert(
      fc.asyncProperty(credentials(), reads(), async (credential, read) => {
        tally.cases += 1;
        tally.drawnReads.set(read.rpc, (tally.drawnReads.get(read.rpc) ?? 0) + 1);
        let identity: CallerIdentity;
        try {
          identity = await authenticate({ method: pathOf(read.rpc), header: (key) => credential.headers[key] });
        } catch (error) {
          if (!isRpcError(error) || (error.code !== Code.UNAUTHENTICATED && error.code !== Code.PERMISSION_DENIED)) throw error;
          tally.refused += 1;
          return;
        }
        tally.allowed += 1;
        tally.checkedReads.set(read.rpc, (tally.checkedReads.get(read.rpc) ?? 0) + 1);
        const registry = as(RegistryService, registryImpl, identity);
        const routerClient = as(RouterService, router.impl, identity);
        let forbidden = hiddenFrom(identity);
        let outcome: Outcome;
        switch (read.rpc) {
          case "GetDecision": {
            outcome = await outcomeOf(GetDecisionResponseSchema, registry.getDecision({ requestId: read.requestId }));
            const tenant = world.decisions.get(read.requestId);
            expectVisibleOrNotFound(outcome, tenant !== undefined && reference.seesDecision(identity, tenant));
            break;
          }
          case "ListDecisions": {
            outcome = await outcomeOf(ListDecisionsResponseSchema, registry.listDecisions({ tenant: read.tenant, pageSize: 500 }));
            const limited = !(identity.kind === "internal" || identity.roles.includes("admin"));
            if (limited && read.tenant !== "" && read.tenant !== identity.tenant) {
              expect(outcome).toMatchObject({ ok: false, code: "PERMISSION_DENIED" });
              break;
            }
            const ids = outcome.ok ? (outcome.value as { decisions: { requestId: string }[] }).decisions.map((d) => d.requestId) : [];
            expect(worldNames(ids, world.decisions)).toEqual(visible(world.decisions, (t) => reference.seesDecision(identity, t) && (read.tenant === "" || t === read.tenant)));
            break;
          }
          case "GetModel": {
            outcome = await outcomeOf(GetModelResponseSchema, registry.getModel({ name: read.name }));
            const tenant = world.models.get(read.name);
            expectVisibleOrNotFound(outcome, tenant !== undefined && reference.seesResource(identity, tenant));
            break;
          }
          case "ListModels": {
            outcome = await outcomeOf(ListModelsResponseSchema, registry.listModels({ labels: { suite: SUITE }, pageSize: 500 }));
            const names = outcome.ok ? (outcome.value as { models: Model[] }).models.map((m) => m.name) : [];
            expect(worldNames(names, world.models)).toEqual(visible(world.models, (t) => reference.seesResource(identity, t)));
            break;
          }
          case "GetPolicy": {
            outcome = await outcomeOf(GetPolicyResponseSchema, registry.getPolicy({ name: read.name }));
            const tenant = world.policies.get(read.name);
            expectVisibleOrNotFound(outcome, tenant !== undefined && reference.seesResource(identity, tenant));
            break;
          }
          case "ListPolicies": {
            outcome = await outcomeOf(ListPoliciesResponseSchema, registry.listPolicies({ pageSize: 500 }));
            const names = outcome.ok ? (outcome.value as { policies: Policy[] }).policies.map((p) => p.name) : [];
            expect(worldNames(names, world.policies)).toEqual(visible(world.policies, (t) => reference.seesResource(identity, t)));
            break;
          }
          case "ListPolicyRevisions": {
            outcome = await outcomeOf(ListPolicyRevisionsResponseSchema, registry.listPolicyRevisions({ name: read.name }));
            const tenant = world.policies.get(read.name);
            expectVisibleOrNotFound(outcome, tenant !== undefined && reference.seesResource(identity, tenant));
            break;
          }
          case "ListApiKeys": {
            outcome = await outcomeOf(ListApiKeysResponseSchema, registry.listApiKeys({ tenant: read.tenant }));
            // Only admins pass the authenticator (the permission table): they see every tenant's keys, never a secret.
            expect(identity.roles).toContain("admin");
            for (const key of keys) expect(outcome.ok ? outcome.json : "").not.toContain(key.token);
            break;
          }
          case "ListAuditEvents": {
            outcome = await outcomeOf(ListAuditEventsResponseSchema, registry.listAuditEvents({ pageSize: 500 }));
            expect(identity.roles).toContain("admin");
            break;
          }
          case "SubmitFeedback": {
            outcome = await outcomeOf(SubmitFeedbackResponseSchema, routerClient.submitFeedback({ requestId: read.requestId, feedback: { case: "label", value: "7" } }));
            const tenant = world.decisions.get(read.requestId);
            const own = reference.confined(identity);
            expectVisibleOrNotFound(outcome, tenant !== undefined && (own === undefined || tenant === own));
            break;
          }
          case "Explain": {
            outcome = await outcomeOf(ExplainResponseSchema, routerClient.explain({ request: { payload: digitImage, tenant: read.tenant } }));
            const own = reference.confined(identity);
            if (own !== undefined && read.tenant !== "" && read.tenant !== own) {
              expect(outcome).toMatchObject({ ok: false, code: "PERMISSION_DENIED" });
              break;
            }
            const servedFor = own ?? (read.tenant === "" ? identity.tenant : read.tenant);
            forbidden = [...new Set([...forbidden.filter((n) => !n.startsWith("req-")), ...otherTenantsOf(servedFor)])];
            expect(outcome.ok).toBe(true);
            break;
          }
        }
        // An error may repeat the name the caller itself asked for ("policy X does not exist"): that reveals nothing.
        const asked = "name" in read ? read.name : "requestId" in read ? read.requestId : undefined;
        const text = outcome.ok ? outcome.json : outcome.message;
        for (const name of forbidden) {
          if (!outcome.ok && name === asked) continue;
          if (text.includes(name)) throw new Error(`${credential.name} (${JSON.stringify(identity)}) read "${name}" through ${read.rpc} ${JSON.stringify(read)}: ${text.slice(0, 400)}`);
        }
      }),
      { numRuns: CASES, seed: SEED, endOnFailure: true },
    );
    // The draw reached every read, for allowed callers as for refused ones.
    expect([...tally.checkedReads.keys()].sort()).toEqual(
      ["Explain", "GetDecision", "GetModel", "GetPolicy", "ListApiKeys", "ListAuditEvents", "ListDecisions", "ListModels", "ListPolicies", "ListPolicyRevisions", "SubmitFeedback"].sort(),
    );
    expect(tally.refused).toBeGreaterThan(0);
    const perRead = [...tally.drawnReads.keys()]
      .sort()
      .map((rpc) => `${rpc} ${tally.drawnReads.get(rpc)} (${tally.checkedReads.get(rpc) ?? 0} past the authenticator)`)
      .join(", ");
    process.stdout.write(
      `tenancy properties: ${tally.cases} cases (${tally.allowed} reads checked, ${tally.refused} refused by the authenticator), ${world.tenants.length} tenants; 0 cross-tenant reads\nper read: ${perRead}\n`,
    );
  }, 1_800_000);
});

/** A read of something the caller may see succeeds; of something it may not, it fails NOT_FOUND, as for an unknown one. */
function expectVisibleOrNotFound(outcome: Outcome, mayRead: boolean): void {
  if (mayRead) expect(outcome).toMatchObject({ ok: true });
  else expect(outcome).toMatchObject({ ok: false, code: "NOT_FOUND" });
}
