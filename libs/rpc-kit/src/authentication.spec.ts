import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { GetModelResponseSchema, Health, ModelSchema, RegistryService, WatchModelsResponseSchema } from "@modelrouter/contracts";
import type { CallContext } from "./call-context.js";
import { Code } from "./code.js";
import { createConnectEdge, type ConnectEdge } from "./connect-edge.js";
import { createDirectClient } from "./direct-client.js";
import { createGrpcChannel, createGrpcClient, type GrpcChannel } from "./grpc-client.js";
import { createGrpcServer, type GrpcServer } from "./grpc-server.js";
import { ANONYMOUS_ADMIN, type Authenticator, type CallerIdentity } from "./identity.js";
import { withUnimplemented } from "./kit.test-support.js";
import { isRpcError, RpcError } from "./rpc-error.js";
import { serviceRegistration, type ServiceImpl } from "./service-types.js";
import { createTunnel, createTunnelClient } from "./tunnel-client.js";

const CLIENT: CallerIdentity = { kind: "api-key", subject: "key:1", tenant: "acme", roles: ["client"] };
const SERVICE: CallerIdentity = { kind: "internal", subject: "internal:router", tenant: "", roles: ["internal"] };
const GOOD_KEY = { authorization: "Bearer good" };
const INTERNAL = { "x-test-service-token": "internal-secret" };
const GET = "/modelrouter.registry.v1.RegistryService/GetModel";
const WATCH = "/modelrouter.registry.v1.RegistryService/WatchModels";

/** An authenticator of the test: the key "good" is a client of tenant acme; the token "internal-secret" a service; health is public. */
const authenticate: Authenticator = (call) => {
  const bearer = call.header("authorization");
  if (bearer === "Bearer good") return Promise.resolve(CLIENT);
  if (bearer === undefined && call.header("x-test-service-token") === "internal-secret") return Promise.resolve(SERVICE);
  if (call.method.startsWith("/grpc.health.v1.")) return Promise.resolve({ kind: "anonymous", subject: "anonymous", tenant: "", roles: [] });
  return Promise.reject(new RpcError({ code: Code.UNAUTHENTICATED, message: "send authorization: Bearer <key>" }));
};

/** The handlers record the context of every call that reached them and answer with the caller's subject. */
function recordingRegistry(reached: CallContext[]): ServiceImpl<typeof RegistryService> {
  return withUnimplemented(RegistryService, {
    getModel(_request, ctx) {
      reached.push(ctx);
      return Promise.resolve(create(GetModelResponseSchema, { model: create(ModelSchema, { name: ctx.identity.subject, description: ctx.header("x-extra") ?? "" }) }));
    },
    async *watchModels(_request, ctx) {
      reached.push(ctx);
      yield create(WatchModelsResponseSchema, { revision: 1n });
    },
  });
}

async function failureOf(call: () => Promise<unknown>): Promise<RpcError> {
  try {
    await call();
  } catch (error) {
    if (isRpcError(error)) return error;
    throw error;
  }
  throw new Error("the call succeeded");
}

async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe("a gRPC server with an authenticator", () => {
  const reached: CallContext[] = [];
  let server: GrpcServer;
  let channel: GrpcChannel;

  beforeAll(async () => {
    server = createGrpcServer({ services: [serviceRegistration(RegistryService, recordingRegistry(reached))], authenticate });
    channel = createGrpcChannel(`127.0.0.1:${await server.listen("127.0.0.1:0")}`);
  });
  afterAll(async () => {
    channel.close();
    await server.shutdown(100);
  });

  it("answers a unary call without a credential with the authenticator's status, and never runs the handler", async () => {
    const client = createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 5000 });
    const before = reached.length;
    const error = await failureOf(() => client.getModel({ name: "m" }));
    expect(error.code).toBe(Code.UNAUTHENTICATED);
    expect(error.message).toContain("send authorization");
    expect(reached.length).toBe(before);
  });

  it("refuses a streaming call the same way, before its first message", async () => {
    const client = createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 5000 });
    const before = reached.length;
    const error = await failureOf(() => drain(client.watchModels({})));
    expect(error.code).toBe(Code.UNAUTHENTICATED);
    expect(reached.length).toBe(before);
  });

  it("gives the handler the identity the authenticator established, on unary and streaming calls", async () => {
    const client = createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 5000, headers: GOOD_KEY });
    const answer = await client.getModel({ name: "m" });
    expect(answer.model?.name).toBe("key:1");
    expect(reached.at(-1)?.identity).toEqual(CLIENT);
    expect(await drain(client.watchModels({}))).toHaveLength(1);
    expect(reached.at(-1)?.identity).toEqual(CLIENT);
  });

  it("sends the client's fixed headers with every call, next to the call's own, and they win over them", async () => {
    const client = createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 5000, headers: GOOD_KEY });
    const answer = await client.getModel({ name: "m" }, { headers: { "x-extra": "mine", authorization: "Bearer forged" } });
    expect(answer.model).toMatchObject({ name: "key:1", description: "mine" });
  });

  it("lets the authenticator decide about the built-in services too (health is public here)", async () => {
    const health = createGrpcClient(Health, channel, { defaultTimeoutMs: 5000 });
    expect((await health.check({ service: "" })).status).toBe(1);
  });
});

describe("a tunnel to a server with an authenticator", () => {
  const reached: CallContext[] = [];
  let server: GrpcServer;
  let channel: GrpcChannel;

  beforeAll(async () => {
    server = createGrpcServer({ services: [serviceRegistration(RegistryService, recordingRegistry(reached))], authenticate });
    channel = createGrpcChannel(`127.0.0.1:${await server.listen("127.0.0.1:0")}`);
  });
  afterAll(async () => {
    channel.close();
    await server.shutdown(100);
  });

  it("fails every call with the status of a refused stream (not UNAVAILABLE, which a router would retry)", async () => {
    const tunnel = createTunnel(channel);
    const client = createTunnelClient(RegistryService, tunnel, { defaultTimeoutMs: 5000 });
    const before = reached.length;
    const error = await failureOf(() => client.getModel({ name: "m" }));
    tunnel.close();
    expect(error.code).toBe(Code.UNAUTHENTICATED);
    expect(reached.length).toBe(before);
  });

  it("authenticates each carried call on its own headers: the tunnel's credential, or the call's", async () => {
    const tunnel = createTunnel(channel, { headers: INTERNAL });
    const client = createTunnelClient(RegistryService, tunnel, { defaultTimeoutMs: 5000 });
    try {
      expect((await client.getModel({ name: "m" })).model?.name).toBe("internal:router");
      expect(reached.at(-1)?.identity).toEqual(SERVICE);
      expect((await client.getModel({ name: "m" }, { headers: GOOD_KEY })).model?.name).toBe("key:1");
      const before = reached.length;
      const error = await failureOf(() => client.getModel({ name: "m" }, { headers: { authorization: "Bearer bad" } }));
      expect(error.code).toBe(Code.UNAUTHENTICATED);
      expect(reached.length).toBe(before);
      expect(await drain(client.watchModels({}))).toHaveLength(1);
      expect(reached.at(-1)?.identity).toEqual(SERVICE);
    } finally {
      tunnel.close();
    }
  });
});

describe("a Connect edge with an authenticator", () => {
  const reached: CallContext[] = [];
  let edge: ConnectEdge;
  let base: string;

  beforeAll(async () => {
    edge = createConnectEdge({ services: [serviceRegistration(RegistryService, recordingRegistry(reached))], authenticate });
    base = `http://127.0.0.1:${await edge.listen("127.0.0.1", 0)}`;
  });
  afterAll(() => edge.close());

  const post = (path: string, body: string | Buffer, headers: Record<string, string>) => fetch(`${base}${path}`, { method: "POST", headers, body });

  it("answers a unary call without a credential 401 unauthenticated, and never runs the handler", async () => {
    const before = reached.length;
    const response = await post(GET, JSON.stringify({ name: "m" }), { "content-type": "application/json" });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe("unauthenticated");
    expect(reached.length).toBe(before);
  });

  it("refuses a caller before it reports a malformed body (nothing about the request is told to a stranger)", async () => {
    const response = await post(GET, "{ not json", { "content-type": "application/json" });
    expect(((await response.json()) as { code: string }).code).toBe("unauthenticated");
    const known = await post(GET, "{ not json", { "content-type": "application/json", ...GOOD_KEY });
    expect(((await known.json()) as { code: string }).code).toBe("invalid_argument");
  });

  it("gives the handler the caller's identity", async () => {
    const response = await post(GET, JSON.stringify({ name: "m" }), { "content-type": "application/json", ...GOOD_KEY });
    expect(await response.json()).toEqual({ model: { name: "key:1" } });
    expect(reached.at(-1)?.identity).toEqual(CLIENT);
  });

  it("ends a refused stream with the status in its end-of-stream message, before any message", async () => {
    const before = reached.length;
    const body = Buffer.concat([Buffer.from([0, 0, 0, 0, 2]), Buffer.from("{}")]);
    const response = await post(WATCH, body, { "content-type": "application/connect+json" });
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.readUInt8(0)).toBe(0x02);
    expect(JSON.parse(bytes.subarray(5).toString("utf8"))).toMatchObject({ error: { code: "unauthenticated" } });
    expect(reached.length).toBe(before);
  });
});

describe("without an authenticator", () => {
  it("every call is the anonymous admin, over gRPC and in-process", async () => {
    const reached: CallContext[] = [];
    const server = createGrpcServer({ services: [serviceRegistration(RegistryService, recordingRegistry(reached))] });
    const channel = createGrpcChannel(`127.0.0.1:${await server.listen("127.0.0.1:0")}`);
    try {
      await createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 5000, headers: { authorization: "Bearer whatever" } }).getModel({ name: "m" });
      await createDirectClient(RegistryService, recordingRegistry(reached), { defaultTimeoutMs: 5000 }).getModel({ name: "m" });
    } finally {
      channel.close();
      await server.shutdown(100);
    }
    expect(reached.map((ctx) => ctx.identity)).toEqual([ANONYMOUS_ADMIN, ANONYMOUS_ADMIN]);
  });
});
