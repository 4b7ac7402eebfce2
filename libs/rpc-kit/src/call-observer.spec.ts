import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { GetModelResponseSchema, Health, ModelSchema, RegistryService, WatchModelsResponseSchema } from "@modelrouter/contracts";
import type { ObservedCall } from "./call-observer.js";
import { Code } from "./code.js";
import { createConnectEdge, type ConnectEdge } from "./connect-edge.js";
import { createGrpcChannel, createGrpcClient, type GrpcChannel } from "./grpc-client.js";
import { createGrpcServer, type GrpcServer } from "./grpc-server.js";
import { withUnimplemented } from "./kit.test-support.js";
import { RpcError } from "./rpc-error.js";
import { serviceRegistration } from "./service-types.js";
import { createTunnel, createTunnelClient } from "./tunnel-client.js";

/** What the observer saw: each call as it started, then its code once it ended. */
interface Seen extends ObservedCall {
  code?: number;
}

const registry = withUnimplemented(RegistryService, {
  getModel(request) {
    if (request.name === "missing") return Promise.reject(new RpcError({ code: Code.NOT_FOUND, message: "no such model" }));
    return Promise.resolve(create(GetModelResponseSchema, { model: create(ModelSchema, { name: request.name }) }));
  },
  async *watchModels() {
    yield create(WatchModelsResponseSchema, { revision: 1n });
  },
});

describe("a server's call observer (metrics)", () => {
  const seen: Seen[] = [];
  const observe = (call: ObservedCall) => {
    const entry: Seen = { ...call };
    seen.push(entry);
    return (code: number) => {
      if (entry.code !== undefined) throw new Error("ended twice");
      entry.code = code;
    };
  };
  let server: GrpcServer;
  let edge: ConnectEdge;
  let channel: GrpcChannel;
  let http: string;

  beforeAll(async () => {
    const services = [serviceRegistration(RegistryService, registry)];
    server = createGrpcServer({ services, observe });
    edge = createConnectEdge({ services, observe });
    channel = createGrpcChannel(`127.0.0.1:${await server.listen("127.0.0.1:0")}`);
    http = `http://127.0.0.1:${await edge.listen("127.0.0.1", 0)}`;
  });
  afterAll(async () => {
    channel.close();
    await Promise.all([server.shutdown(100), edge.close(100)]);
  });

  it("sees each gRPC call start and end with its status code, unary and streaming", async () => {
    seen.length = 0;
    const client = createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 5000 });
    await client.getModel({ name: "m" });
    await client.getModel({ name: "missing" }).catch(() => undefined);
    for await (const _ of client.watchModels({})) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.slice(0, 2)).toEqual([
      { system: "grpc", transport: "grpc", service: "modelrouter.registry.v1.RegistryService", method: "GetModel", code: Code.OK },
      { system: "grpc", transport: "grpc", service: "modelrouter.registry.v1.RegistryService", method: "GetModel", code: Code.NOT_FOUND },
    ]);
    expect(seen[2]).toMatchObject({ method: "WatchModels", transport: "grpc" });
    expect(seen[2]?.code).toBeDefined();
  });

  it("sees the calls a tunnel carries, each on its own, and not the tunnel stream or health probes", async () => {
    seen.length = 0;
    const tunnel = createTunnel(channel);
    await createTunnelClient(RegistryService, tunnel, { defaultTimeoutMs: 5000 }).getModel({ name: "t" });
    tunnel.close();
    await createGrpcClient(Health, channel, { defaultTimeoutMs: 5000 }).check({ service: "" });
    expect(seen).toEqual([{ system: "grpc", transport: "tunnel", service: "modelrouter.registry.v1.RegistryService", method: "GetModel", code: Code.OK }]);
  });

  it("sees Connect/JSON calls as connect_rpc", async () => {
    seen.length = 0;
    const answer = await fetch(`${http}/modelrouter.registry.v1.RegistryService/GetModel`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "missing" }),
    });
    expect(answer.status).toBe(404);
    expect(seen).toEqual([{ system: "connect_rpc", transport: "connect", service: "modelrouter.registry.v1.RegistryService", method: "GetModel", code: Code.NOT_FOUND }]);
  });
});
