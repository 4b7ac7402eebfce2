import type { DescService } from "@bufbuild/protobuf";
import type { CallContext, CallerIdentity, ServiceImpl } from "@modelrouter/rpc-kit";

/** The identity of the registry's own MLflow sync loop, as its writes are audited. */
export const MLFLOW_SYNC_IDENTITY: CallerIdentity = Object.freeze({
  kind: "internal",
  subject: "internal:mlflow-sync",
  tenant: "",
  roles: Object.freeze(["internal"]),
});

/** `ctx` with another identity; everything else (deadline, signal, headers, trace) is the call's own. */
export function withIdentity(ctx: CallContext, identity: CallerIdentity): CallContext {
  return {
    method: ctx.method,
    deadline: ctx.deadline,
    get signal() {
      return ctx.signal;
    },
    transport: ctx.transport,
    traceContext: ctx.traceContext,
    header: (key) => ctx.header(key),
    identity,
  };
}

/**
 * The same service, every call of which runs as `identity`: for in-process callers that act as someone in
 * particular (the MLflow sync loop through a direct client), whose calls would otherwise be anonymous.
 */
export function serviceAs<S extends DescService>(impl: ServiceImpl<S>, identity: CallerIdentity): ServiceImpl<S> {
  const methods = impl as unknown as Readonly<Record<string, (request: unknown, ctx: CallContext) => unknown>>;
  const wrapped: Record<string, (request: unknown, ctx: CallContext) => unknown> = {};
  for (const [name, method] of Object.entries(methods)) {
    wrapped[name] = (request, ctx) => method.call(impl, request, withIdentity(ctx, identity));
  }
  return wrapped as unknown as ServiceImpl<S>;
}
