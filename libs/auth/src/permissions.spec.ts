import { describe, expect, it } from "@jest/globals";
import type { DescService } from "@bufbuild/protobuf";
import * as contracts from "@modelrouter/contracts";
import { reflectionV1, reflectionV1alpha } from "@modelrouter/contracts/reflection";
import { PERMISSION_TABLE, SERVED_SERVICES, methodPath, methodPermission, permits, type Permission } from "./permissions.js";

function isService(value: unknown): value is DescService {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "service";
}

const everyMethod = SERVED_SERVICES.flatMap((service) => service.methods.map((method) => methodPath(service, method.name)));

describe("the permission table", () => {
  it("serves every service of the contracts and both reflection versions", () => {
    const exported = ([...Object.values(contracts), reflectionV1.ServerReflection, reflectionV1alpha.ServerReflection] as unknown[]).filter(isService);
    expect(exported.length).toBeGreaterThanOrEqual(10);
    expect(SERVED_SERVICES.map((s) => s.typeName).sort()).toEqual(exported.map((s) => s.typeName).sort());
  });

  it.each(everyMethod)("classifies %s (a new RPC must be given a permission)", (path) => {
    expect(PERMISSION_TABLE.has(path)).toBe(true);
  });

  it("has an entry for nothing else", () => {
    expect([...PERMISSION_TABLE.keys()].sort()).toEqual([...everyMethod].sort());
  });

  const cases: [string, Permission][] = [
    ["/grpc.health.v1.Health/Check", "public"],
    ["/grpc.health.v1.Health/Watch", "public"],
    ["/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", "public"],
    ["/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", "public"],
    ["/modelrouter.router.v1.RouterService/Infer", ["admin", "client"]],
    ["/modelrouter.router.v1.RouterService/InferStream", ["admin", "client"]],
    ["/modelrouter.router.v1.RouterService/Explain", ["admin", "client"]],
    ["/modelrouter.router.v1.RouterService/SubmitFeedback", ["admin", "client"]],
    ["/modelrouter.registry.v1.RegistryService/RegisterModel", ["admin"]],
    ["/modelrouter.registry.v1.RegistryService/UpdateModel", ["admin"]],
    ["/modelrouter.registry.v1.RegistryService/DeregisterModel", ["admin"]],
    ["/modelrouter.registry.v1.RegistryService/ApplyPolicy", ["admin", "policy-editor"]],
    ["/modelrouter.registry.v1.RegistryService/DeletePolicy", ["admin", "policy-editor"]],
    ["/modelrouter.registry.v1.RegistryService/EvaluatePolicy", ["admin", "policy-editor"]],
    ["/modelrouter.registry.v1.RegistryService/GetModel", ["admin", "policy-editor", "viewer", "internal"]],
    ["/modelrouter.registry.v1.RegistryService/WatchPolicies", ["admin", "policy-editor", "viewer", "internal"]],
    ["/modelrouter.registry.v1.RegistryService/ListDecisions", ["admin", "policy-editor", "viewer", "internal"]],
    ["/modelrouter.registry.v1.RegistryService/ListExperiments", ["admin", "policy-editor", "viewer", "internal"]],
    ["/modelrouter.registry.v1.RegistryService/RecordDecision", "internal"],
    ["/modelrouter.registry.v1.RegistryService/RecordFeedback", "internal"],
    ["/modelrouter.registry.v1.RegistryService/RecordModelStats", "internal"],
    ["/modelrouter.registry.v1.RegistryService/VerifyApiKey", "internal"],
    ["/modelrouter.registry.v1.RegistryService/CreateApiKey", ["admin"]],
    ["/modelrouter.registry.v1.RegistryService/ListApiKeys", ["admin"]],
    ["/modelrouter.registry.v1.RegistryService/RevokeApiKey", ["admin"]],
    ["/modelrouter.registry.v1.RegistryService/ListAuditEvents", ["admin"]],
    ["/modelrouter.decision.v1.DecisionService/Decide", "internal"],
    ["/modelrouter.analyzer.v1.AnalyzerService/Analyze", "internal"],
    ["/modelrouter.executor.v1.ExecutorService/Execute", "internal"],
    ["/modelrouter.executor.v1.ExecutorService/ExecuteStream", "internal"],
    ["/modelrouter.rpc.v1.TunnelService/Open", "internal"],
    ["/inference.GRPCInferenceService/ModelInfer", ["admin", "client"]],
  ];

  it.each(cases)("gives %s the permission %j", (path, permission) => {
    expect(methodPermission(path)).toEqual(permission);
  });

  it.each(["/modelrouter.registry.v1.RegistryService/DropEverything", "/unknown.Service/Method", "", "RegisterModel"])(
    "lets nobody call the unknown method %j",
    (path) => {
      expect(methodPermission(path)).toEqual([]);
      expect(permits(methodPermission(path), ["admin", "internal"])).toBe(false);
    },
  );

  it("lets admin call every user method, and no internal-only one", () => {
    for (const [path, permission] of PERMISSION_TABLE) {
      expect([path, permits(permission, ["admin"])]).toEqual([path, permission !== "internal"]);
    }
  });

  it("lets a policy editor call everything a viewer may", () => {
    for (const [path, permission] of PERMISSION_TABLE) {
      if (permits(permission, ["viewer"])) expect([path, permits(permission, ["policy-editor"])]).toEqual([path, true]);
    }
  });

  it("lets internal callers call every viewer read and the internal-only methods, and nothing only users may", () => {
    for (const [path, permission] of PERMISSION_TABLE) {
      const expected = permission === "public" || permission === "internal" || permits(permission, ["viewer"]);
      expect([path, permits(permission, ["internal"])]).toEqual([path, expected]);
    }
  });

  it("lets a client call only inference and feedback", () => {
    const allowed = [...PERMISSION_TABLE].filter(([, permission]) => permission !== "public" && permits(permission, ["client"])).map(([path]) => path);
    expect(allowed.every((path) => path.startsWith("/modelrouter.router.v1.RouterService/") || path.startsWith("/inference.GRPCInferenceService/"))).toBe(
      true,
    );
    expect(allowed).toHaveLength(10);
  });

  it("lets no role at all call methods that need one", () => {
    expect(permits(methodPermission("/modelrouter.registry.v1.RegistryService/GetModel"), [])).toBe(false);
    expect(permits(methodPermission("/modelrouter.registry.v1.RegistryService/RecordDecision"), ["admin", "viewer"])).toBe(false);
  });
});
