import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { AnalyzerService, AnalyzeResponseSchema } from "@modelrouter/contracts";
import { EnvReader } from "@modelrouter/config";
import { Code, createGrpcServer, isRpcError, serviceRegistration, type CallerIdentity, type GrpcServer } from "@modelrouter/rpc-kit";
import { readCommonConfig } from "./common-config.js";
import { loadServiceAuth, type CredentialReader } from "./service-auth.js";
import { createTopology } from "./topology.js";

const TOKEN = "host-spec-internal-token-31ad";
const ON = { MODELROUTER_AUTH: "on", MODELROUTER_INTERNAL_TOKEN: "env:SPEC_TOKEN", SPEC_TOKEN: TOKEN };

const authOf = (vars: Record<string, string>) => readCommonConfig(new EnvReader(vars)).auth;
const reader = (env: Record<string, string>): CredentialReader => ({ env, readFile: () => Promise.reject(new Error("no files here")) });

describe("a service's authentication, from its settings", () => {
  it("is nothing with MODELROUTER_AUTH off (the default): no authenticator to run, no headers to send", async () => {
    const auth = await loadServiceAuth(authOf({}), "router", reader({}));
    expect(auth.mode).toBe("off");
    expect(auth.authenticator()).toBeUndefined();
    expect(auth.internalHeaders).toBeUndefined();
  });

  it("with it on, sends the service's name and the internal token read from where the setting points", async () => {
    const auth = await loadServiceAuth(authOf(ON), "decision-engine", reader(ON));
    expect(auth.internalHeaders).toEqual({ "x-modelrouter-service": "decision-engine", "x-modelrouter-service-token": TOKEN });
    expect(auth.authenticator()).toBeDefined();
  });

  it("fails to start when the token's variable is missing, naming the reference and not a value", async () => {
    const failure = await loadServiceAuth(authOf(ON), "router", reader({})).catch((error: unknown) => error);
    expect(String(failure)).toContain("SPEC_TOKEN");
  });
});

describe("a server and a topology of the same settings", () => {
  const seen: CallerIdentity[] = [];
  let server: GrpcServer;
  let address: string;

  beforeAll(async () => {
    const auth = await loadServiceAuth(authOf(ON), "analyzer", reader(ON));
    const impl = {
      analyze: (_request: unknown, ctx: { identity: CallerIdentity }) => {
        seen.push(ctx.identity);
        return Promise.resolve(create(AnalyzeResponseSchema, {}));
      },
    };
    server = createGrpcServer({ services: [serviceRegistration(AnalyzerService, impl as never)], authenticate: auth.authenticator()! });
    address = `127.0.0.1:${await server.listen("127.0.0.1:0")}`;
  });
  afterAll(() => server.shutdown(100));

  it.each(["tunnel", "unary"] as const)("lets a service's %s calls in as that service", async (transport) => {
    const caller = await loadServiceAuth(authOf(ON), "router", reader(ON));
    const topology = createTopology({ transport, callTimeoutMs: 5000, headers: caller.internalHeaders });
    try {
      await topology.connect(AnalyzerService, address).analyze({});
    } finally {
      await topology.close();
    }
    expect(seen.at(-1)).toMatchObject({ kind: "internal", subject: "internal:router" });
  });

  it("refuses a process whose settings have another token", async () => {
    const other = { ...ON, SPEC_TOKEN: "another-deployment's-token" };
    const caller = await loadServiceAuth(authOf(other), "router", reader(other));
    const topology = createTopology({ transport: "tunnel", callTimeoutMs: 5000, headers: caller.internalHeaders });
    const before = seen.length;
    const failure = await topology.connect(AnalyzerService, address).analyze({}).catch((error: unknown) => error);
    await topology.close();
    expect(isRpcError(failure) && failure.code).toBe(Code.UNAUTHENTICATED);
    expect(String(failure)).not.toContain("another-deployment");
    expect(seen.length).toBe(before);
  });
});
