import { create, type DescService } from "@bufbuild/protobuf";
import {
  type AnalyzerService,
  AnalyzeResponseSchema,
  InputProfileSchema,
} from "@modelrouter/contracts";
import { DomainError, ErrorReason, invalidFields } from "@modelrouter/errors";
import { createDirectClient } from "./direct-client.js";
import { createGrpcChannel, createGrpcClient, type GrpcChannel } from "./grpc-client.js";
import { createGrpcServer, type GrpcServer } from "./grpc-server.js";
import { createTunnel, createTunnelClient } from "./tunnel-client.js";
import { Code } from "./code.js";
import { RpcError } from "./rpc-error.js";
import { serviceRegistration, type ServiceClient, type ServiceImpl } from "./service-types.js";
import type { CallContext } from "./call-context.js";

/** What the scripted analyzer observed about its calls, for assertions. */
export interface Observations {
  readonly contexts: CallContext[];
  readonly aborted: string[];
  readonly unexpected: unknown[];
}

/**
 * An AnalyzerService whose behaviour is chosen by the request's text payload, to exercise the kit:
 * "ok", "invalid", "throw-sync", "throw-async", "hang" (until cancelled), "slow" (answers after 500 ms),
 * "downstream:<text>" (calls `next`).
 */
export function scriptedAnalyzer(
  observations: Observations,
  next?: () => ServiceClient<typeof AnalyzerService>,
): ServiceImpl<typeof AnalyzerService> {
  return {
    analyze(request, ctx) {
      observations.contexts.push(ctx);
      const text = request.payload?.kind.case === "text" ? request.payload.kind.value : "";
      switch (text) {
        case "throw-sync":
          throw new Error("boom (sync)");
        case "throw-async":
          return (async () => {
            await new Promise((resolve) => setImmediate(resolve));
            throw new Error("boom (async)");
          })();
        case "invalid":
          return Promise.reject(
            invalidFields("the request is invalid", [
              { field: "payload.text", description: "is too long: at most 10 characters" },
              { field: 'metadata["k"]', description: "must not be empty" },
            ]),
          );
        case "not-found":
          return Promise.reject(new DomainError(ErrorReason.MODEL_NOT_FOUND, 'model "x" not found', { metadata: { model: "x" } }));
        case "slow":
          return new Promise((resolve) => setTimeout(resolve, 500)).then(() =>
            create(AnalyzeResponseSchema, { profile: create(InputProfileSchema, { mimeType: "text/plain" }) }),
          );
        case "hang":
          return new Promise((_resolve, reject) => {
            ctx.signal.addEventListener("abort", () => {
              observations.aborted.push(ctx.method);
              reject(new RpcError({ code: Code.CANCELLED, message: "handler saw the abort" }));
            });
          });
        default:
          if (text.startsWith("downstream:") && next !== undefined) {
            return next()
              .analyze({ payload: { kind: { case: "text", value: text.slice("downstream:".length) } } }, { parent: ctx })
              .then((r) => r);
          }
          return Promise.resolve(
            create(AnalyzeResponseSchema, {
              profile: create(InputProfileSchema, {
                mimeType: "text/plain",
                metadata: { ...request.metadata, seenHeader: ctx.header("x-test") ?? "", transport: ctx.transport },
              }),
            }),
          );
      }
    },
  };
}

/** A client and server pair of one topology, with teardown. */
export interface Topology<S extends DescService> {
  readonly name: "grpc" | "tunnel" | "direct";
  readonly client: ServiceClient<S>;
  close(): Promise<void>;
}

/** Serves `impl` over grpc-js on loopback and returns a gRPC client of it. */
export async function grpcTopology<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  onUnexpected?: (error: unknown) => void,
): Promise<Topology<S> & { server: GrpcServer; channel: GrpcChannel; port: number }> {
  const server = createGrpcServer({
    services: [serviceRegistration(service, impl)],
    ...(onUnexpected === undefined ? {} : { onUnexpectedError: onUnexpected }),
  });
  const port = await server.listen("127.0.0.1:0");
  const channel = createGrpcChannel(`127.0.0.1:${port}`);
  return {
    name: "grpc",
    server,
    channel,
    port,
    client: createGrpcClient(service, channel, { defaultTimeoutMs: 5000 }),
    close: async () => {
      channel.close();
      await server.shutdown(100);
    },
  };
}

/** Serves `impl` over grpc-js on loopback and returns a tunnel client of it (unary calls multiplexed on one stream). */
export async function tunnelTopology<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  onUnexpected?: (error: unknown) => void,
): Promise<Topology<S> & { server: GrpcServer; channel: GrpcChannel; port: number }> {
  const served = await grpcTopology(service, impl, onUnexpected);
  const tunnel = createTunnel(served.channel);
  return {
    ...served,
    name: "tunnel",
    client: createTunnelClient(service, tunnel, { defaultTimeoutMs: 5000 }),
    close: async () => {
      tunnel.close();
      await served.close();
    },
  };
}

/** A topology by name. */
export function topology<S extends DescService>(
  name: "grpc" | "tunnel" | "direct",
  service: S,
  impl: ServiceImpl<S>,
  onUnexpected?: (error: unknown) => void,
): Promise<Topology<S>> {
  if (name === "grpc") return grpcTopology(service, impl, onUnexpected);
  if (name === "tunnel") return tunnelTopology(service, impl, onUnexpected);
  return Promise.resolve(directTopology(service, impl, onUnexpected));
}

/** Returns a direct (in-process) client of `impl`. */
export function directTopology<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  onUnexpected?: (error: unknown) => void,
): Topology<S> {
  return {
    name: "direct",
    client: createDirectClient(service, impl, {
      defaultTimeoutMs: 5000,
      ...(onUnexpected === undefined ? {} : { onUnexpectedError: onUnexpected }),
    }),
    close: () => Promise.resolve(),
  };
}

/** Completes a partial implementation with handlers that fail UNIMPLEMENTED (for tests of single methods). */
export function withUnimplemented<S extends DescService>(service: S, partial: Partial<ServiceImpl<S>>): ServiceImpl<S> {
  const impl: Record<string, unknown> = {};
  for (const method of service.methods) {
    const given = (partial as Record<string, unknown>)[method.localName];
    impl[method.localName] =
      given ??
      (() => {
        throw new RpcError({ code: Code.UNIMPLEMENTED, message: `${method.name} is not implemented in this test` });
      });
  }
  return impl as ServiceImpl<S>;
}
