import type { MessageInitShape } from "@bufbuild/protobuf";
import { GRPCInferenceService, type InferTensorContentsSchema, type ModelInferResponse } from "@modelrouter/contracts";
import { Code, codeName, createGrpcChannel, createGrpcClient, isRpcError, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { isIP } from "node:net";
import type { TensorValues } from "../worker-protocol.js";
import type { EndpointConnector } from "./endpoint-connection.js";
import type { EndpointUrl } from "./endpoint-url.js";
import { elementTypeOf } from "../oip-datatypes.js";
import { jsonNumbers, valuesOf, valuesOfRaw } from "./wire-values.js";
import { oipError, quoteRemote } from "./oip-errors.js";
import type { OipCall, OipInferRequest, OipModelMetadata, OipTensor, OipTransport } from "./oip-types.js";

/** Options of {@link createGrpcTransport}. */
export interface GrpcTransportOptions {
  readonly endpoint: EndpointUrl;
  readonly connector: EndpointConnector;
  /** The most bytes of an answer (default 64 MiB). */
  readonly maxResponseBytes?: number;
}

interface Connected {
  readonly channel: GrpcChannel;
  readonly client: ServiceClient<typeof GRPCInferenceService>;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * OIP v2 over gRPC (`inference.GRPCInferenceService`) through the RPC kit: one channel per endpoint, to the
 * endpoint's pinned address with its host name as the authority. The call's deadline is the gRPC deadline and
 * its cancellation cancels the call; statuses pass through with the server's message quoted. UNAVAILABLE (the
 * server refused, or could not be reached) may be retried on another endpoint. `grpcs://` needs TLS channels,
 * which the RPC kit does not open yet: such an endpoint fails every call with FAILED_PRECONDITION, saying so.
 */
export function createGrpcTransport(options: GrpcTransportOptions): OipTransport {
  const { endpoint, connector } = options;
  const url = endpoint.url.href;
  let connected: Promise<Connected> | undefined;

  const open = async (): Promise<Connected> => {
    const connection = await connector.connection();
    const address = connection.addresses[0] ?? endpoint.host;
    const target = isIP(address) === 6 ? `ipv6:[${address}]:${endpoint.port}` : `ipv4:${address}:${endpoint.port}`;
    const authority = `${isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
    const channel = createGrpcChannel(target, {
      channelOptions: { "grpc.default_authority": authority, "grpc.max_receive_message_length": options.maxResponseBytes ?? 64 * 1024 * 1024 },
    });
    const client = createGrpcClient(GRPCInferenceService, channel, { defaultTimeoutMs: 30_000 });
    return { channel, client, headers: connection.credential === undefined ? {} : { authorization: `Bearer ${connection.credential}` } };
  };

  const run = async <T>(call: OipCall, fn: (c: Connected) => Promise<T>): Promise<T> => {
    if (endpoint.tls) throw oipError(Code.FAILED_PRECONDITION, url, "grpcs:// (gRPC over TLS) is not supported by this executor yet; use https:// (OIP over REST)");
    if (call.signal.aborted) throw oipError(Code.CANCELLED, url, "the call was cancelled");
    if (call.deadline <= Date.now()) throw oipError(Code.DEADLINE_EXCEEDED, url, "the deadline passed before the call");
    connected ??= open();
    const opening = connected;
    let c: Connected;
    try {
      c = await opening;
    } catch (error) {
      if (connected === opening) connected = undefined;
      throw oipError(Code.UNAVAILABLE, url, `cannot connect: ${error instanceof Error ? error.message : String(error)}`, { retry: true, cause: error });
    }
    try {
      return await fn(c);
    } catch (error) {
      if (!isRpcError(error)) throw error;
      throw oipError(error.code, url, `${codeName(error.code)}: ${quoteRemote(error.message)}`, { retry: error.code === Code.UNAVAILABLE, cause: error });
    }
  };

  const callOptions = (c: Connected, call: OipCall) => ({
    deadline: call.deadline,
    signal: call.signal,
    headers: c.headers,
    ...(call.traceContext === undefined ? {} : { traceContext: call.traceContext }),
  });

  return {
    url,
    async modelReady(model, version, call) {
      const answer = await run(call, (c) => c.client.modelReady({ name: model, version }, callOptions(c, call)));
      return answer.ready;
    },
    async modelMetadata(model, version, call): Promise<OipModelMetadata> {
      const answer = await run(call, (c) => c.client.modelMetadata({ name: model, version }, callOptions(c, call)));
      const tensor = (t: { name: string; datatype: string; shape: bigint[] }) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(Number) });
      return { name: answer.name, platform: answer.platform, inputs: answer.inputs.map(tensor), outputs: answer.outputs.map(tensor) };
    },
    async infer(request: OipInferRequest, call): Promise<OipTensor> {
      const { input } = request;
      const init = {
        modelName: request.model,
        modelVersion: request.version,
        inputs: [{ name: input.name, datatype: input.datatype, shape: input.shape.map(BigInt), contents: contentsOf(input.data, input.datatype) }],
        outputs: request.outputName === "" ? [] : [{ name: request.outputName }],
      };
      const answer = await run(call, (c) => c.client.modelInfer(init, callOptions(c, call)));
      return outputOf(answer, request.outputName, url);
    },
    close() {
      void connected?.then((c) => c.channel.close(), () => undefined);
      connected = undefined;
    },
  };
}

function contentsOf(values: TensorValues, datatype: string): MessageInitShape<typeof InferTensorContentsSchema> {
  switch (datatype) {
    case "FP32":
      return { fp32Contents: Array.from(values as Float32Array) };
    case "FP64":
      return { fp64Contents: Array.from(values as Float64Array) };
    case "INT64":
      return { int64Contents: Array.from(values as BigInt64Array) };
    case "UINT8":
      return { uintContents: Array.from(values as Uint8Array) };
    case "BOOL":
      return { boolContents: jsonNumbers(values).map((x) => x !== 0) };
    default:
      return { intContents: jsonNumbers(values) };
  }
}

function outputOf(answer: ModelInferResponse, outputName: string, url: string): OipTensor {
  const malformed = (problem: string) => oipError(Code.INTERNAL, url, `its ModelInfer answer ${problem}`);
  const index = outputName === "" ? 0 : answer.outputs.findIndex((o) => o.name === outputName);
  const output = answer.outputs[index];
  if (output === undefined) throw malformed(outputName === "" ? "has no outputs" : `has no output "${outputName}"`);
  const type = elementTypeOf(output.datatype);
  if (type === undefined) throw malformed(`has output "${output.name}" of datatype ${output.datatype}, which the executor cannot read`);
  const raw = answer.rawOutputContents[index];
  const c = output.contents;
  const typed: ArrayLike<number | bigint | boolean> =
    c === undefined
      ? []
      : type === "float32"
        ? c.fp32Contents
        : type === "float64"
          ? c.fp64Contents
          : type === "int64"
            ? c.int64Contents
            : type === "uint8"
              ? c.uintContents
              : type === "bool"
                ? c.boolContents
                : c.intContents;
  const data = answer.rawOutputContents.length > 0 && raw !== undefined ? valuesOfRaw(type, raw) : valuesOf(type, typed);
  const shape = output.shape.map(Number);
  if (data === undefined || data.length !== shape.reduce((n, d) => n * d, 1)) {
    throw malformed(`has output "${output.name}" whose data does not fill its shape [${shape.join(", ")}]`);
  }
  return { name: output.name, datatype: output.datatype, shape, data };
}
