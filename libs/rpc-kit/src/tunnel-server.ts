import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { OpenResponseSchema, type OpenRequest, type OpenResponse, type TunnelService } from "@modelrouter/contracts";
import { AsyncQueue } from "./async-queue.js";
import type { CallContext } from "./call-context.js";
import { Code } from "./code.js";
import type { CallObserver } from "./call-observer.js";
import type { Authenticator } from "./identity.js";
import type { UnexpectedErrorListener } from "./error-table.js";
import { methodSpecs } from "./method-spec.js";
import { decodeMessage } from "./request-decoding.js";
import { RpcError } from "./rpc-error.js";
import { serveUnary, shuttingDown, type Route } from "./serve-call.js";
import type { ServerCall } from "./server-call.js";
import { statusOf } from "./status-details.js";
import type { ServiceImpl, ServiceRegistration } from "./service-types.js";
import { extractContext, recordHeadersGetter } from "./tracing.js";

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
 * The `TunnelService` of a server: it runs each call carried by a stream through the one call lifecycle (the
 * same handlers, error table and span per call as a direct gRPC call) and answers each as it finishes. A
 * cancel frame, or the end of the stream, cancels the calls still running. When `draining` aborts (the server
 * is shutting down), new calls are refused with UNAVAILABLE and each stream ends once its running calls have
 * answered, so that a graceful shutdown does not wait for long-lived tunnels. With an `authenticate`, each
 * carried call is authenticated on its own headers, like a call of its own (the stream was, on the stream's).
 */
export function createTunnelImpl(
  services: readonly ServiceRegistration[],
  onUnexpected: UnexpectedErrorListener | undefined,
  draining: AbortSignal,
  authenticate?: Authenticator,
  observe?: CallObserver,
): ServiceImpl<typeof TunnelService> {
  const routes = routesOf(services);
  return {
    open(requests: AsyncIterable<OpenRequest>, streamCtx: CallContext) {
      const answers = new AsyncQueue<OpenResponse>(streamCtx.signal);
      const running = new Map<bigint, ServerCall>();
      let reading = true;
      const settle = (callId: bigint, answer: OpenResponse): void => {
        running.delete(callId);
        answers.push(answer);
        if (!reading && running.size === 0) answers.close();
      };
      const start = (request: OpenRequest): void => {
        const route = routes.get(request.method);
        if (route === undefined) {
          answers.push(failure(request.callId, new RpcError({ code: Code.UNIMPLEMENTED, message: `no method ${request.method} here` })));
          return;
        }
        const { call, result } = serveUnary(
          route,
          decodeMessage(route.spec.method.input, request.message),
          {
            transport: "tunnel",
            system: "grpc",
            parent: extractContext(request.headers, recordHeadersGetter),
            deadline: request.timeoutMs === 0 ? Number.POSITIVE_INFINITY : Date.now() + request.timeoutMs,
            header: (key) => request.headers[key],
            cancellation: [streamCtx],
            rejection: draining.aborted ? shuttingDown() : undefined,
            authenticate,
            observe,
          },
          onUnexpected,
        );
        running.set(request.callId, call);
        void result.then((outcome) =>
          settle(
            request.callId,
            outcome.ok
              ? create(OpenResponseSchema, { callId: request.callId, message: route.spec.serializeResponse(outcome.response as MessageShape<DescMessage>) })
              : failure(request.callId, outcome.error),
          ),
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
          for (const call of running.values()) call.cancel();
          if (running.size === 0) answers.close();
        }
      })();
      return answers;
    },
  };
}
