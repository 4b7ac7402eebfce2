import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { reflectionV1 } from "@modelrouter/contracts/reflection";
import { createGrpcClient } from "@modelrouter/rpc-kit";
import { startModelrouter, type RunningSystem, type Topology } from "@modelrouter/testing";

type ReflectionRequest = MessageInitShape<typeof reflectionV1.ServerReflectionRequestSchema>;

async function* requests(...items: ReflectionRequest[]): AsyncGenerator<ReflectionRequest> {
  yield* items;
}

describe.each(["distributed", "co-located"] as Topology[])("server reflection on every service, %s", (topology) => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startModelrouter(topology);
  });
  afterAll(() => system.stop());

  it("answers what grpcurl asks (list, then describe each service) and ends the stream with OK when the client half-closes", async () => {
    const addresses = { ...system.addresses, registry: system.registryAddress };
    for (const [name, address] of Object.entries(addresses)) {
      const client = createGrpcClient(reflectionV1.ServerReflection, system.channel(address), { defaultTimeoutMs: 5000 });
      // grpcurl sends its requests, half-closes and waits for the status: the loop ends only when the status
      // arrives (a stream that never ends fails this test at its 5 s deadline).
      const listed: string[] = [];
      for await (const response of client.serverReflectionInfo(requests({ messageRequest: { case: "listServices", value: "" } }))) {
        if (response.messageResponse.case === "listServicesResponse") listed.push(...response.messageResponse.value.service.map((s) => s.name));
      }
      expect({ name, listed: listed.includes("grpc.health.v1.Health") }).toEqual({ name, listed: true });
      const mine = listed.filter((service) => service.startsWith("modelrouter.") && service !== "modelrouter.rpc.v1.TunnelService");
      expect(mine.length).toBeGreaterThan(0);
      let described = 0;
      const asks = mine.map((symbol): ReflectionRequest => ({ messageRequest: { case: "fileContainingSymbol", value: symbol } }));
      for await (const response of client.serverReflectionInfo(requests(...asks))) {
        if (response.messageResponse.case === "fileDescriptorResponse") described++;
      }
      expect({ name, described }).toEqual({ name, described: mine.length });
    }
  });

  it("serves only the public services on the public ports", async () => {
    const client = createGrpcClient(reflectionV1.ServerReflection, system.channel(system.routerAddress), { defaultTimeoutMs: 5000 });
    const listed: string[] = [];
    for await (const response of client.serverReflectionInfo(requests({ messageRequest: { case: "listServices", value: "" } }))) {
      if (response.messageResponse.case === "listServicesResponse") listed.push(...response.messageResponse.value.service.map((s) => s.name));
    }
    expect(listed.filter((service) => service.startsWith("modelrouter.") && service !== "modelrouter.rpc.v1.TunnelService")).toEqual([
      "modelrouter.router.v1.RouterService",
    ]);
  });
});
