import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { AnalyzerService, Health, HealthCheckResponse_ServingStatus as Status } from "@modelrouter/contracts";
import { reflectionV1, reflectionV1alpha } from "@modelrouter/contracts/reflection";
import { Code } from "./code.js";
import { createGrpcClient } from "./grpc-client.js";
import { isRpcError } from "./rpc-error.js";
import { grpcTopology, scriptedAnalyzer } from "./kit.test-support.js";

type Served = Awaited<ReturnType<typeof grpcTopology<typeof AnalyzerService>>>;

async function* once<T>(item: T): AsyncGenerator<T> {
  yield item;
}

describe("every gRPC server", () => {
  let served: Served;

  beforeAll(async () => {
    served = await grpcTopology(AnalyzerService, scriptedAnalyzer({ contexts: [], aborted: [], unexpected: [] }));
  });
  afterAll(() => served.close());

  describe("grpc.health.v1.Health", () => {
    it("reports the process and each hosted service SERVING once listening", async () => {
      const health = createGrpcClient(Health, served.channel, { defaultTimeoutMs: 2000 });
      expect((await health.check({ service: "" })).status).toBe(Status.SERVING);
      expect((await health.check({ service: "modelrouter.analyzer.v1.AnalyzerService" })).status).toBe(Status.SERVING);
    });

    it("answers NOT_FOUND for a service it does not host", async () => {
      const health = createGrpcClient(Health, served.channel, { defaultTimeoutMs: 2000 });
      const error = await health.check({ service: "nope.v1.Nope" }).catch((e: unknown) => e);
      expect(isRpcError(error) && error.code).toBe(Code.NOT_FOUND);
    });

    it("streams status changes to watchers", async () => {
      const health = createGrpcClient(Health, served.channel, { defaultTimeoutMs: 5000 });
      const seen: Status[] = [];
      for await (const update of health.watch({ service: "modelrouter.analyzer.v1.AnalyzerService" })) {
        seen.push(update.status);
        if (seen.length === 1) served.server.health.set("modelrouter.analyzer.v1.AnalyzerService", Status.NOT_SERVING);
        if (seen.length === 2) break;
      }
      expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING]);
      served.server.health.set("modelrouter.analyzer.v1.AnalyzerService", Status.SERVING);
    });
  });

  describe.each([
    ["v1", reflectionV1.ServerReflection],
    ["v1alpha", reflectionV1alpha.ServerReflection],
  ] as const)("server reflection %s", (_version, service) => {
    const ask = async (request: object) => {
      const client = createGrpcClient(service as typeof reflectionV1.ServerReflection, served.channel, { defaultTimeoutMs: 2000 });
      for await (const response of client.serverReflectionInfo(once(request))) return response;
      throw new Error("no response");
    };

    it("lists the hosted service, health and reflection", async () => {
      const response = await ask({ messageRequest: { case: "listServices", value: "" } });
      expect(response.messageResponse.case).toBe("listServicesResponse");
      const names =
        response.messageResponse.case === "listServicesResponse" ? response.messageResponse.value.service.map((s) => s.name) : [];
      expect(names).toEqual(
        expect.arrayContaining([
          "modelrouter.analyzer.v1.AnalyzerService",
          "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection",
        ]),
      );
    });

    it("describes a symbol with its file and every file it imports", async () => {
      const response = await ask({ messageRequest: { case: "fileContainingSymbol", value: "modelrouter.analyzer.v1.AnalyzerService" } });
      expect(response.messageResponse.case).toBe("fileDescriptorResponse");
      const files =
        response.messageResponse.case === "fileDescriptorResponse"
          ? response.messageResponse.value.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name)
          : [];
      expect(files[0]).toBe("modelrouter/analyzer/v1/analyzer_service.proto");
      expect(files).toEqual(
        expect.arrayContaining(["modelrouter/analyzer/v1/profile.proto", "modelrouter/type/v1/payload.proto", "google/protobuf/struct.proto"]),
      );
    });

    it("finds message types and files by name", async () => {
      const bySymbol = await ask({ messageRequest: { case: "fileContainingSymbol", value: "modelrouter.type.v1.Payload" } });
      expect(bySymbol.messageResponse.case).toBe("fileDescriptorResponse");
      const byName = await ask({ messageRequest: { case: "fileByFilename", value: "modelrouter/type/v1/payload.proto" } });
      expect(byName.messageResponse.case).toBe("fileDescriptorResponse");
    });

    it("answers NOT_FOUND for an unknown symbol", async () => {
      const response = await ask({ messageRequest: { case: "fileContainingSymbol", value: "no.such.Thing" } });
      expect(response.messageResponse.case).toBe("errorResponse");
      expect(response.messageResponse.case === "errorResponse" && response.messageResponse.value.errorCode).toBe(Code.NOT_FOUND);
    });
  });
});
