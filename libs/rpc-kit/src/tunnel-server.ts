import { create, fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import {
  OpenResponseSchema,
  type OpenRequest,
  type OpenResponse,
  type TunnelService,
} from "@modelrouter/contracts";
import { AsyncQueue } from "./async-queue.js";
import type { CallContext } from "./call-context.js";
import { Code } from "./code.js";
import { toRpcError, type UnexpectedErrorListener } from "./error-table.js";
import { LocalCallContext } from "./local-call-context.js";
import { methodSpecs, type MethodSpec } from "./method-spec.js";
import { RpcError } from "./rpc-error.js";
import { statusOf } from "./status-details.js";
import type { ServiceImpl, ServiceRegistration } from "./service-types.js";
import { activeContextFor, endRpcSpan, extractContext, recordHeadersGetter, runInContext, startServerSpan } from "./tracing.js";

interface Route {
  readonly spec: MethodSpec;
  readonly handler: (request: unknown, ctx: CallContext) => Promise<MessageShape<DescMessage>>;
}

/** The unary methods of the services, by path. */
function routesOf(services: readonly ServiceRegistration[]): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const { service, impl } of services) {
    for (const spec of methodSpecs(service)) {
      if (spec.kind !== "unary") continue;
      routes.set(spec.path, { spec, handler: impl[spec.localName] as Route["handler"] });
    }
  }
  return routes;
}

function failure(callId: bigint, error: RpcError): OpenResponse {
  return create(OpenResponseSchema, { callId, status: statusOf(error) });
}

/**
 * The `TunnelService` of a server: it runs each call carried by a stream with the handler of its method —
 * the same handlers, error table and span per call as a direct gRPC call — and answers each as it finishes.
 * A cancel frame, or the end of the stream, cancels the calls still running. When `draining` aborts (the
 * server is shutting down), new calls are refused with UNAVAILABLE and each stream ends once its running calls
 * have answered, so that a graceful shutdown does not wait for long-lived tunnels.
 */
export function createTunnelImpl(
  services: readonly ServiceRegistration[],
  onUnexpected: UnexpectedErrorListener | undefined,
  draining: AbortSignal,
): ServiceImpl<typeof TunnelService> {
  const routes = routesOf(services);
  return {
    open(requests, streamCtx) {
      const answers = new AsyncQueue<OpenResponse>(streamCtx.signal);
      const running = new Map<bigint, LocalCallContext>();
      let reading = true;
      const settle = (callId: bigint, answer: OpenResponse): void => {
        running.delete(callId);
        answers.push(answer);
        if (!reading && running.size === 0) answers.close();
      };
      const start = (request: OpenRequest): void => {
        if (draining.aborted) {
          answers.push(failure(request.callId, new RpcError({ code: Code.UNAVAILABLE, message: "the server is shutting down" })));
          return;
        }
        const route = routes.get(request.method);
        if (route === undefined) {
          answers.push(failure(request.callId, new RpcError({ code: Code.UNIMPLEMENTED, message: `no method ${request.method} here` })));
          return;
        }
        let message: MessageShape<DescMessage>;
        try {
          message = fromBinary(route.spec.method.input, request.message);
        } catch {
          answers.push(failure(request.callId, new RpcError({ code: Code.INTERNAL, message: "Error deserializing request" })));
          return;
        }
        const deadline = request.timeoutMs === 0 ? Number.POSITIVE_INFINITY : Date.now() + request.timeoutMs;
        const parent = extractContext(request.headers, recordHeadersGetter);
        const span = startServerSpan(route.spec, "grpc", parent);
        const traceContext = activeContextFor(span, parent);
        const ctx = new LocalCallContext("tunnel", request.method, deadline, [streamCtx.signal], request.headers, traceContext);
        running.set(request.callId, ctx);
        let result: Promise<MessageShape<DescMessage>>;
        try {
          result = runInContext(traceContext, route.handler, message, ctx);
        } catch (error) {
          result = Promise.reject(error);
        }
        result.then(
          (response) => {
            endRpcSpan(span, Code.OK);
            ctx.finish();
            settle(request.callId, create(OpenResponseSchema, { callId: request.callId, message: route.spec.serializeResponse(response) }));
          },
          (error: unknown) => {
            const rpcError = toRpcError(error, onUnexpected);
            endRpcSpan(span, rpcError.code, rpcError.message);
            ctx.finish();
            settle(request.callId, failure(request.callId, rpcError));
          },
        );
      };
      const drain = (): void => {
        reading = false;
        if (running.size === 0) answers.close();
      };
      if (draining.aborted) drain();
      else draining.addEventListener("abort", drain, { once: true });
      void (async () => {
        try {
          for await (const request of requests) {
            if (request.cancel) running.get(request.callId)?.cancel();
            else start(request);
          }
        } catch {
          // The stream broke: the calls still running are cancelled below.
        } finally {
          draining.removeEventListener("abort", drain);
          reading = false;
          for (const ctx of running.values()) ctx.cancel();
          if (running.size === 0) answers.close();
        }
      })();
      return answers;
    },
  };
}
