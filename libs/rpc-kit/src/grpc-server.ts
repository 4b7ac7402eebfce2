import * as grpc from "@grpc/grpc-js";
import type { DescService, MessageShape, DescMessage } from "@bufbuild/protobuf";
import { INVALID_SPAN_CONTEXT, trace, type Context, type Span, type TextMapGetter } from "@opentelemetry/api";
import { Health, TunnelService } from "@modelrouter/contracts";
import { reflectionV1, reflectionV1alpha } from "@modelrouter/contracts/reflection";
import type { CallContext } from "./call-context.js";
import { Code } from "./code.js";
import { toRpcError, type UnexpectedErrorListener } from "./error-table.js";
import { createHealthImpl, HealthState, ServingStatus } from "./health.js";
import { methodSpecs, type MethodSpec } from "./method-spec.js";
import { createReflectionImpls } from "./reflection.js";
import { createTunnelImpl } from "./tunnel-server.js";
import type { RpcError } from "./rpc-error.js";
import { STATUS_DETAILS_KEY, encodeStatusDetails } from "./status-details.js";
import { serviceRegistration, type ServiceRegistration } from "./service-types.js";
import { activeContextFor, endRpcSpan, extractContext, runInContext, startServerSpan } from "./tracing.js";

/** Options of {@link createGrpcServer}. */
export interface GrpcServerOptions {
  readonly services: readonly ServiceRegistration[];
  /** Called with every error a handler threw that is not a domain or RPC error (a bug). */
  readonly onUnexpectedError?: UnexpectedErrorListener;
  /** The largest request message accepted, in bytes. Default 8 MiB. */
  readonly maxReceiveMessageBytes?: number;
  /** Shared with the process's other servers, if any. Default: a new one. */
  readonly health?: HealthState;
}

/** A gRPC server hosting modelrouter services plus `grpc.health.v1.Health` and server reflection. */
export interface GrpcServer {
  readonly health: HealthState;
  /** Binds `host:port` (port 0 picks a free one) and returns the bound port. */
  listen(address: string): Promise<number>;
  /** Reports NOT_SERVING, lets in-flight calls finish for up to `graceMs`, then closes every connection. */
  shutdown(graceMs: number): Promise<void>;
}

const metadataGetter: TextMapGetter<grpc.Metadata> = {
  get: (carrier, key) => {
    const values = carrier.get(key);
    return values.length === 0 ? undefined : String(values[0]);
  },
  keys: (carrier) => Object.keys(carrier.getMap()),
};

/** The parts of a grpc-js server call that every call kind has. */
interface SurfaceCall {
  getDeadline(): grpc.Deadline;
  readonly metadata: grpc.Metadata;
  readonly cancelled: boolean;
  once(event: "cancelled", listener: () => void): unknown;
}

class GrpcCallContext implements CallContext {
  readonly transport = "grpc" as const;
  readonly deadline: number;
  #controller: AbortController | undefined;
  #finished = false;

  constructor(
    readonly method: string,
    private readonly call: SurfaceCall,
    readonly traceContext: Context,
  ) {
    const deadline = call.getDeadline();
    this.deadline = deadline instanceof Date ? deadline.getTime() : deadline;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      // grpc-js emits "cancelled" when the stream closes, also after a normal answer: only a call that has not
      // answered yet is cancelled (an abort builds a DOMException: too dear to pay on every call).
      if (this.call.cancelled && !this.#finished) controller.abort();
      else this.call.once("cancelled", () => {
        if (!this.#finished) controller.abort();
      });
    }
    return this.#controller.signal;
  }

  /** The call has answered: a later "cancelled" event is the stream closing, not a cancellation. */
  finish(): void {
    this.#finished = true;
  }

  header(key: string): string | undefined {
    const values = this.call.metadata.get(key);
    return values.length === 0 ? undefined : String(values[0]);
  }
}

function toServiceError(error: RpcError): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(encodeStatusDetails(error)));
  return { code: error.code, details: error.message, metadata };
}

type Impl = Readonly<Record<string, unknown>>;

/** A span that records nothing, for built-in services (health probes, reflection, tunnels) that would only be noise in traces. */
const untraced = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

function serverSpan(spec: MethodSpec, traced: boolean, parent: Context): Span {
  return traced ? startServerSpan(spec, "grpc", parent) : untraced;
}

function unaryHandler(spec: MethodSpec, impl: Impl, onUnexpected: UnexpectedErrorListener | undefined, traced: boolean) {
  const fn = impl[spec.localName] as (req: unknown, ctx: CallContext) => Promise<MessageShape<DescMessage>>;
  return (
    call: grpc.ServerUnaryCall<MessageShape<DescMessage>, MessageShape<DescMessage>>,
    callback: grpc.sendUnaryData<MessageShape<DescMessage>>,
  ): void => {
    const parent = extractContext(call.metadata, metadataGetter);
    const span = serverSpan(spec, traced, parent);
    const ctx = new GrpcCallContext(spec.path, call, activeContextFor(span, parent));
    let result: Promise<MessageShape<DescMessage>>;
    try {
      result = runInContext(ctx.traceContext, fn, call.request, ctx);
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (response) => {
        ctx.finish();
        endRpcSpan(span, Code.OK);
        callback(null, response);
      },
      (error: unknown) => {
        ctx.finish();
        const rpcError = toRpcError(error, onUnexpected);
        endRpcSpan(span, rpcError.code, rpcError.message);
        callback(toServiceError(rpcError));
      },
    );
  };
}

function waitForDrain(stream: NodeJS.EventEmitter & { cancelled: boolean }): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("cancelled", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("cancelled", done);
  });
}

type WritableCall = grpc.ServerWritableStream<unknown, MessageShape<DescMessage>> | grpc.ServerDuplexStream<unknown, MessageShape<DescMessage>>;

function streamResponses(
  spec: MethodSpec,
  call: WritableCall,
  produce: (ctx: CallContext) => AsyncIterable<MessageShape<DescMessage>>,
  onUnexpected: UnexpectedErrorListener | undefined,
  traced: boolean,
): void {
  const parent = extractContext(call.metadata, metadataGetter);
  const span = serverSpan(spec, traced, parent);
  const ctx = new GrpcCallContext(spec.path, call, activeContextFor(span, parent));
  const run = async (): Promise<void> => {
    for await (const message of produce(ctx)) {
      if (call.cancelled) break;
      if (!call.write(message)) await waitForDrain(call);
    }
  };
  runInContext(ctx.traceContext, run).then(
    () => {
      ctx.finish();
      endRpcSpan(span, call.cancelled ? Code.CANCELLED : Code.OK);
      if (!call.cancelled) call.end();
    },
    (error: unknown) => {
      ctx.finish();
      const rpcError = toRpcError(error, onUnexpected);
      endRpcSpan(span, rpcError.code, rpcError.message);
      if (!call.cancelled) call.emit("error", toServiceError(rpcError));
    },
  );
}

function serverStreamingHandler(spec: MethodSpec, impl: Impl, onUnexpected: UnexpectedErrorListener | undefined, traced: boolean) {
  const fn = impl[spec.localName] as (req: unknown, ctx: CallContext) => AsyncIterable<MessageShape<DescMessage>>;
  return (call: grpc.ServerWritableStream<unknown, MessageShape<DescMessage>>): void => {
    streamResponses(spec, call, (ctx) => fn(call.request, ctx), onUnexpected, traced);
  };
}

function bidiStreamingHandler(spec: MethodSpec, impl: Impl, onUnexpected: UnexpectedErrorListener | undefined, traced: boolean) {
  const fn = impl[spec.localName] as (
    requests: AsyncIterable<unknown>,
    ctx: CallContext,
  ) => AsyncIterable<MessageShape<DescMessage>>;
  return (call: grpc.ServerDuplexStream<unknown, MessageShape<DescMessage>>): void => {
    streamResponses(spec, call, (ctx) => fn(call as AsyncIterable<unknown>, ctx), onUnexpected, traced);
  };
}

function addService(
  server: grpc.Server,
  service: DescService,
  impl: Impl,
  onUnexpected: UnexpectedErrorListener | undefined,
  traced: boolean,
): void {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const handlers: Record<string, grpc.UntypedHandleCall> = {};
  for (const spec of methodSpecs(service)) {
    if (typeof impl[spec.localName] !== "function") {
      throw new Error(`${service.typeName}: no handler for method ${spec.method.name} (${spec.localName})`);
    }
    definition[spec.localName] = {
      path: spec.path,
      requestStream: spec.kind === "client_streaming" || spec.kind === "bidi_streaming",
      responseStream: spec.kind === "server_streaming" || spec.kind === "bidi_streaming",
      requestSerialize: spec.serialize as (v: unknown) => Buffer,
      requestDeserialize: spec.deserialize,
      responseSerialize: spec.serializeResponse as (v: unknown) => Buffer,
      responseDeserialize: spec.deserializeResponse,
      originalName: spec.localName,
    };
    switch (spec.kind) {
      case "unary":
        handlers[spec.localName] = unaryHandler(spec, impl, onUnexpected, traced) as grpc.UntypedHandleCall;
        break;
      case "server_streaming":
        handlers[spec.localName] = serverStreamingHandler(spec, impl, onUnexpected, traced) as grpc.UntypedHandleCall;
        break;
      case "bidi_streaming":
        handlers[spec.localName] = bidiStreamingHandler(spec, impl, onUnexpected, traced) as grpc.UntypedHandleCall;
        break;
      case "client_streaming":
        throw new Error(`${spec.path}: client-streaming methods are not supported`);
    }
  }
  server.addService(definition, handlers);
}

/**
 * Creates a gRPC server (grpc-js with the protobuf-es codec) for the given services. Every handler runs
 * inside a SERVER span whose parent is the caller's W3C trace context; whatever a handler throws, sync or
 * async, becomes a status with `google.rpc.ErrorInfo` details and never reaches the process.
 * The server also serves `grpc.health.v1.Health` (each service SERVING once listening), reflection, and
 * `modelrouter.rpc.v1.TunnelService`, which carries the services' unary calls over one stream (see
 * `createTunnelClient`).
 */
export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const health = options.health ?? new HealthState();
  const server = new grpc.Server({
    "grpc.max_receive_message_length": options.maxReceiveMessageBytes ?? 8 * 1024 * 1024,
  });
  const onUnexpected = options.onUnexpectedError;
  const draining = new AbortController();
  for (const { service, impl } of options.services) addService(server, service, impl, onUnexpected, true);
  const reflection = createReflectionImpls([...options.services.map((s) => s.service), Health, TunnelService]);
  const builtIns = [
    serviceRegistration(Health, createHealthImpl(health)),
    serviceRegistration(TunnelService, createTunnelImpl(options.services, onUnexpected, draining.signal)),
    serviceRegistration(reflectionV1.ServerReflection, reflection.v1),
    serviceRegistration(reflectionV1alpha.ServerReflection, reflection.v1alpha),
  ];
  // Not traced: probes and tunnels would fill traces with noise (a tunnel's calls have spans of their own).
  for (const { service, impl } of builtIns) addService(server, service, impl, onUnexpected, false);

  return {
    health,
    listen(address) {
      return new Promise((resolve, reject) => {
        server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) => {
          if (error !== null) {
            reject(error);
            return;
          }
          for (const { service } of options.services) {
            if (health.get(service.typeName) === undefined) health.set(service.typeName, ServingStatus.SERVING);
          }
          if (health.get("") === undefined) health.set("", ServingStatus.SERVING);
          resolve(port);
        });
      });
    },
    shutdown(graceMs) {
      health.setAll(ServingStatus.NOT_SERVING);
      draining.abort();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
