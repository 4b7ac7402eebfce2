import type { CallOptions } from "@modelrouter/rpc-kit";
import type { TensorValues } from "../worker-protocol.js";

/** A tensor as it travels to or from an OIP v2 server: its OIP datatype ("FP32", "INT64", …), shape and elements. */
export interface OipTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data: TensorValues;
}

/** What a server says about one tensor of a model; -1 is a variable dimension. */
export interface OipTensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

/** The answer of ModelMetadata (`GET /v2/models/{m}`). */
export interface OipModelMetadata {
  readonly name: string;
  readonly platform: string;
  readonly inputs: readonly OipTensorMetadata[];
  readonly outputs: readonly OipTensorMetadata[];
}

/** One ModelInfer call: one input tensor in, one named output tensor asked for. */
export interface OipInferRequest {
  readonly model: string;
  /** Empty: the server chooses. */
  readonly version: string;
  readonly input: OipTensor;
  readonly outputName: string;
}

/** The deadline (epoch milliseconds; `Infinity`: none) and cancellation of one outbound call. */
export interface OipCall {
  readonly deadline: number;
  readonly signal: AbortSignal;
  /** The trace the call's span goes under (the Execute call's); absent: a new trace. */
  readonly traceContext?: CallOptions["traceContext"];
}

/**
 * One endpoint's protocol: gRPC (`grpc://`, `grpcs://`) or REST (`http://`, `https://`). Failures are
 * `RpcError`s (see `oip-errors.ts`); one connection (channel or keep-alive agent) is reused for every call.
 */
export interface OipTransport {
  /** The endpoint's URL, as registered (never holds a credential). */
  readonly url: string;
  modelReady(model: string, version: string, call: OipCall): Promise<boolean>;
  modelMetadata(model: string, version: string, call: OipCall): Promise<OipModelMetadata>;
  /** The requested output tensor (the first output when the server answers with several and none has its name). */
  infer(request: OipInferRequest, call: OipCall): Promise<OipTensor>;
  close(): void;
}
