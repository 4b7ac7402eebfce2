import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import {
  type ModelInferRequest,
  ModelInferRequestSchema,
  ModelInferResponseSchema,
  ModelMetadataRequestSchema,
  ModelMetadataResponseSchema,
  ModelReadyRequestSchema,
  ModelReadyResponseSchema,
} from "@modelrouter/contracts";

/**
 * How a fake server behaves: "ok" answers like Triton; "hang" never answers infer; "close" drops the connection
 * on infer; "unavailable" answers infer with 503 (gRPC UNAVAILABLE); "refuse" answers infer with 400 and
 * `{"error": …}` (gRPC INVALID_ARGUMENT); "not-ready" says the model is not ready (infer still works).
 */
export type FakeMode = "ok" | "hang" | "close" | "unavailable" | "refuse" | "not-ready";

/**
 * The fake model "scores" of the fake servers: input "INPUT0" FP32 [-1, 4], output "OUTPUT0" FP32 [-1, 3], the
 * first three elements of the input (so a test chooses the scores it gets back).
 */
export const FAKE_MODEL = {
  name: "scores",
  platform: "onnxruntime_onnx",
  inputs: [{ name: "INPUT0", datatype: "FP32", shape: [-1, 4] }],
  outputs: [{ name: "OUTPUT0", datatype: "FP32", shape: [-1, 3] }],
} as const;

/** A fake OIP server and what it saw. */
export interface FakeServer {
  /** "http://127.0.0.1:port" or "grpc://127.0.0.1:port". */
  readonly url: string;
  mode: FakeMode;
  /** The request paths it received (REST only). */
  readonly paths: string[];
  /** The infer calls it received. */
  readonly infers: { readonly headers: IncomingHttpHeaders | Record<string, string>; readonly body: unknown; readonly binaryBytes: number }[];
  close(): Promise<void>;
}

function answer(input: readonly number[]): number[] {
  return input.slice(0, 3);
}

/**
 * A node:http server answering OIP v2 REST like Triton: `/v2/models/scores[/versions/1]{,/ready,/infer}`, JSON
 * or binary tensor data (`Inference-Header-Content-Length`), errors as `{"error": "…"}`.
 */
export async function startFakeRestServer(mode: FakeMode = "ok"): Promise<FakeServer> {
  const infers: FakeServer["infers"][number][] = [];
  const paths: string[] = [];
  const sockets = new Set<Socket>();
  const state = { mode };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      paths.push(req.url ?? "");
      const path = (req.url ?? "").replace(/^.*?\/v2\//, "/v2/").replace(/\/versions\/[^/]+/, "");
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (!path.startsWith(`/v2/models/${FAKE_MODEL.name}`)) return send(404, { error: `Request for unknown model: '${path.split("/")[3] ?? ""}' is not found` });
      if (req.method === "GET" && path.endsWith("/ready")) return send(200, { name: FAKE_MODEL.name, ready: state.mode !== "not-ready" });
      if (req.method === "GET") return send(200, FAKE_MODEL);
      const headerLength = req.headers["inference-header-content-length"];
      const jsonPart = headerLength === undefined ? body : body.subarray(0, Number(headerLength));
      const parsed = JSON.parse(jsonPart.toString("utf8")) as {
        inputs: { name: string; shape: number[]; data?: number[]; parameters?: { binary_data_size?: number } }[];
        outputs?: { name: string; parameters?: { binary_data?: boolean } }[];
      };
      infers.push({ headers: req.headers, body: parsed, binaryBytes: body.byteLength - jsonPart.byteLength });
      if (state.mode === "hang") return;
      if (state.mode === "close") return req.socket.destroy();
      if (state.mode === "unavailable") return send(503, { error: "Server is not ready: model scores is loading" });
      if (state.mode === "refuse") return send(400, { error: "unexpected shape for input 'INPUT0' for model 'scores'. Expected [-1,4], got [1,5]" });
      const input = parsed.inputs[0];
      if (input === undefined) return send(400, { error: "no inputs" });
      const values =
        input.parameters?.binary_data_size === undefined
          ? (input.data ?? [])
          : Array.from(new Float32Array(new Uint8Array(body.subarray(jsonPart.byteLength)).buffer));
      const out = answer(values);
      if (parsed.outputs?.[0]?.parameters?.binary_data === true) {
        const raw = Buffer.from(new Float32Array(out).buffer);
        const json = Buffer.from(
          JSON.stringify({ model_name: "scores", model_version: "1", outputs: [{ name: "OUTPUT0", datatype: "FP32", shape: [1, 3], parameters: { binary_data_size: raw.byteLength } }] }),
        );
        res.writeHead(200, { "content-type": "application/octet-stream", "inference-header-content-length": String(json.byteLength) });
        return res.end(Buffer.concat([json, raw]));
      }
      return send(200, { model_name: "scores", model_version: "1", outputs: [{ name: "OUTPUT0", datatype: "FP32", shape: [1, 3], data: out }] });
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: FakeMode) {
      state.mode = m;
    },
    infers,
    paths,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function method<I extends DescMessage, O extends DescMessage>(name: string, input: I, output: O): grpc.MethodDefinition<MessageShape<I>, MessageShape<O>> {
  return {
    path: `/inference.GRPCInferenceService/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m) => Buffer.from(toBinary(input, m)),
    requestDeserialize: (b) => fromBinary(input, b),
    responseSerialize: (m) => Buffer.from(toBinary(output, m)),
    responseDeserialize: (b) => fromBinary(output, b),
  };
}

/** A grpc-js server answering `inference.GRPCInferenceService` (ModelReady, ModelMetadata, ModelInfer) like Triton. */
export async function startFakeGrpcServer(mode: FakeMode = "ok"): Promise<FakeServer> {
  const infers: FakeServer["infers"][number][] = [];
  const state = { mode };
  const server = new grpc.Server();
  const notFound = (name: string): grpc.ServiceError =>
    Object.assign(new Error(`Request for unknown model: '${name}' is not found`), { code: grpc.status.NOT_FOUND, details: `Request for unknown model: '${name}' is not found`, metadata: new grpc.Metadata() });
  const fail = (code: grpc.status, details: string): Partial<grpc.ServiceError> => ({ code, details, metadata: new grpc.Metadata() });
  server.addService(
    {
      ModelReady: method("ModelReady", ModelReadyRequestSchema, ModelReadyResponseSchema),
      ModelMetadata: method("ModelMetadata", ModelMetadataRequestSchema, ModelMetadataResponseSchema),
      ModelInfer: method("ModelInfer", ModelInferRequestSchema, ModelInferResponseSchema),
    },
    {
      ModelReady: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, cb: grpc.sendUnaryData<unknown>) =>
        call.request.name === FAKE_MODEL.name ? cb(null, create(ModelReadyResponseSchema, { ready: state.mode !== "not-ready" })) : cb(notFound(call.request.name)),
      ModelMetadata: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, cb: grpc.sendUnaryData<unknown>) =>
        call.request.name === FAKE_MODEL.name
          ? cb(
              null,
              create(ModelMetadataResponseSchema, {
                name: FAKE_MODEL.name,
                platform: FAKE_MODEL.platform,
                inputs: FAKE_MODEL.inputs.map((t) => ({ ...t, shape: t.shape.map(BigInt) })),
                outputs: FAKE_MODEL.outputs.map((t) => ({ ...t, shape: t.shape.map(BigInt) })),
              }),
            )
          : cb(notFound(call.request.name)),
      ModelInfer: (call: grpc.ServerUnaryCall<ModelInferRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        infers.push({ headers: call.metadata.getMap() as Record<string, string>, body: call.request, binaryBytes: 0 });
        if (call.request.modelName !== FAKE_MODEL.name) return cb(notFound(call.request.modelName));
        if (state.mode === "hang") return;
        if (state.mode === "close") return cb(fail(grpc.status.UNAVAILABLE, "Connection dropped"));
        if (state.mode === "unavailable") return cb(fail(grpc.status.UNAVAILABLE, "model scores is loading"));
        if (state.mode === "refuse") return cb(fail(grpc.status.INVALID_ARGUMENT, "unexpected shape for input 'INPUT0'"));
        const input = call.request.inputs[0];
        const raw = call.request.rawInputContents[0];
        const values = raw === undefined ? (input?.contents?.fp32Contents ?? []) : Array.from(new Float32Array(new Uint8Array(raw).buffer));
        return cb(
          null,
          create(ModelInferResponseSchema, {
            modelName: "scores",
            modelVersion: "1",
            outputs: [{ name: "OUTPUT0", datatype: "FP32", shape: [1n, 3n], contents: { fp32Contents: answer(values) } }],
          }),
        );
      },
    } as grpc.UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, p) => (error === null ? resolve(p) : reject(error))),
  );
  return {
    url: `grpc://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: FakeMode) {
      state.mode = m;
    },
    infers,
    paths: [],
    close: async () => server.forceShutdown(),
  };
}
