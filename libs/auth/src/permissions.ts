import type { DescService } from "@bufbuild/protobuf";
import {
  AnalyzerService,
  DecisionService,
  ExecutorService,
  GRPCInferenceService,
  Health,
  RegistryService,
  RouterService,
  TunnelService,
} from "@modelrouter/contracts";
import { reflectionV1, reflectionV1alpha } from "@modelrouter/contracts/reflection";
import { INTERNAL_ROLE, type RoleName } from "./roles.js";

/**
 * Who may call a method: `"public"` (no credential needed: health and reflection), `"internal"` (only another
 * modelrouter service), or the roles allowed (an empty list: nobody).
 */
export type Permission = "public" | "internal" | readonly RoleName[];

const allowed = (...roles: RoleName[]): Permission => Object.freeze(roles);
const ADMIN = allowed("admin");
const POLICY_EDITOR = allowed("admin", "policy-editor");
const VIEWER = allowed("admin", "policy-editor", "viewer", INTERNAL_ROLE);
const CLIENT = allowed("admin", "client");
const NOBODY = allowed();

/** One permission per method of a service, by the method's local (camelCase) name; TypeScript checks every method has one. */
type ServicePermissions<S extends DescService> = { readonly [M in keyof S["method"]]: Permission };

interface Classified {
  readonly service: DescService;
  readonly methods: Readonly<Record<string, Permission>>;
}

function classify<S extends DescService>(service: S, methods: ServicePermissions<S>): Classified {
  return { service, methods: methods as Readonly<Record<string, Permission>> };
}

const CLASSIFIED: readonly Classified[] = [
  classify(RouterService, { infer: CLIENT, inferStream: CLIENT, explain: CLIENT, submitFeedback: CLIENT }),
  classify(RegistryService, {
    registerModel: ADMIN,
    getModel: VIEWER,
    listModels: VIEWER,
    updateModel: ADMIN,
    deregisterModel: ADMIN,
    watchModels: VIEWER,
    applyPolicy: POLICY_EDITOR,
    getPolicy: VIEWER,
    listPolicyRevisions: VIEWER,
    listPolicies: VIEWER,
    deletePolicy: POLICY_EDITOR,
    watchPolicies: VIEWER,
    recordDecision: "internal",
    getDecision: VIEWER,
    listDecisions: VIEWER,
    recordFeedback: "internal",
    recordModelStats: "internal",
    listModelStats: VIEWER,
    listBanditArms: VIEWER,
    listExperiments: VIEWER,
    evaluatePolicy: POLICY_EDITOR,
    createApiKey: ADMIN,
    listApiKeys: ADMIN,
    revokeApiKey: ADMIN,
    verifyApiKey: "internal",
    listAuditEvents: ADMIN,
  }),
  classify(DecisionService, { decide: "internal" }),
  classify(AnalyzerService, { analyze: "internal" }),
  classify(ExecutorService, { execute: "internal", executeStream: "internal" }),
  classify(TunnelService, { open: "internal" }),
  classify(GRPCInferenceService, {
    serverLive: CLIENT,
    serverReady: CLIENT,
    modelReady: CLIENT,
    serverMetadata: CLIENT,
    modelMetadata: CLIENT,
    modelInfer: CLIENT,
  }),
  classify(Health, { check: "public", watch: "public" }),
  classify(reflectionV1.ServerReflection, { serverReflectionInfo: "public" }),
  classify(reflectionV1alpha.ServerReflection, { serverReflectionInfo: "public" }),
];

/** Every service modelrouter serves, whose every method {@link PERMISSION_TABLE} classifies. */
export const SERVED_SERVICES: readonly DescService[] = Object.freeze(CLASSIFIED.map((entry) => entry.service));

/** The full method path of a method, as gRPC and the authenticator see it: `/<package>.<Service>/<Method>`. */
export function methodPath(service: DescService, methodName: string): string {
  return `/${service.typeName}/${methodName}`;
}

function buildTable(): ReadonlyMap<string, Permission> {
  const table = new Map<string, Permission>();
  for (const { service, methods } of CLASSIFIED) {
    for (const method of service.methods) {
      const permission = methods[method.localName];
      if (permission !== undefined) table.set(methodPath(service, method.name), permission);
    }
  }
  return table;
}

/** Who may call each method modelrouter serves, by full method path; built from the contracts' descriptors. */
export const PERMISSION_TABLE: ReadonlyMap<string, Permission> = buildTable();

/** Who may call the method at `path` (`/<package>.<Service>/<Method>`); nobody (`[]`) for a method not in the table. */
export function methodPermission(path: string): Permission {
  return PERMISSION_TABLE.get(path) ?? NOBODY;
}

/** Whether an identity with `roles` may call a method of `permission`. */
export function permits(permission: Permission, roles: readonly string[]): boolean {
  if (permission === "public") return true;
  if (permission === "internal") return roles.includes(INTERNAL_ROLE);
  return permission.some((role) => roles.includes(role));
}

/** The roles a method needs, for messages: "the internal service credential", "one of the roles admin, client", "no role (unknown method)". */
export function describePermission(permission: Permission): string {
  if (permission === "public") return "no credential";
  if (permission === "internal") return "the internal service credential (only modelrouter's own services may call it)";
  if (permission.length === 0) return "a method modelrouter serves (no role may call an unknown method)";
  return `one of the roles ${permission.filter((role) => role !== INTERNAL_ROLE).join(", ")}`;
}
