import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { trace, type Context } from "@opentelemetry/api";
import type { CallContext, Transport } from "./call-context.js";
import type { CallObserver } from "./call-observer.js";
import type { Authenticator } from "./identity.js";
import { Code } from "./code.js";
import { toRpcError, type UnexpectedErrorListener } from "./error-table.js";
import type { MethodSpec } from "./method-spec.js";
import { undecodable } from "./request-decoding.js";
import { RpcError } from "./rpc-error.js";
import { ServerCall, type CancellationSource } from "./server-call.js";
import { endRpcSpan, runInContext, startServerSpan, type RpcSystem } from "./tracing.js";

type Message = MessageShape<DescMessage>;

/** A method and the handler that serves it. */
export interface Route {
  readonly spec: MethodSpec;
  readonly handler: (request: never, ctx: CallContext) => unknown;
}

/** What a transport knows about a call it received, before the handler runs. */
export interface IncomingCall {
  readonly transport: Transport;
  /**
   * The `rpc.system` of the call's SERVER span; undefined when the call gets no span of its own (a direct call,
   * whose caller's span is the hop's one span, or a built-in service such as health probes).
   */
  readonly system: RpcSystem | undefined;
  /** The caller's trace context (extracted from the request's headers, or the caller's own for a direct call). */
  readonly parent: Context;
  /** Absolute deadline, epoch ms; `Infinity` when none was given. */
  readonly deadline: number;
  readonly header: (key: string) => string | undefined;
  readonly cancellation: readonly CancellationSource[];
  /** A problem the transport found with the call itself (a malformed timeout header, a server that is draining). */
  readonly rejection?: RpcError | undefined;
  /**
   * The server's authenticator: run once, before the request is looked at and before the handler; its rejection
   * is the call's status, its identity the call's `identity`. None: the call is `ANONYMOUS_ADMIN`, at no cost.
   */
  readonly authenticate?: Authenticator | undefined;
  /** Told when the call starts and how it ends (metrics); only for a call with a span of its own (`system`). */
  readonly observe?: CallObserver | undefined;
}

/** How a call ended: its response, or the error the client sees. Never a thrown error. */
export type CallOutcome = { readonly ok: true; readonly response: Message } | { readonly ok: false; readonly error: RpcError };

/** A call being served: its context (to cancel it from the transport) and its outcome. */
export interface ServedCall<T> {
  readonly call: ServerCall;
  readonly result: T;
}

function begin(route: Route, incoming: IncomingCall): { call: ServerCall; end: (code: number, message?: string) => void } {
  const span = incoming.system === undefined ? undefined : startServerSpan(route.spec, incoming.system, incoming.parent);
  const call = new ServerCall({
    transport: incoming.transport,
    method: route.spec.path,
    deadline: incoming.deadline,
    traceContext: span === undefined ? incoming.parent : trace.setSpan(incoming.parent, span),
    header: incoming.header,
    cancellation: incoming.cancellation,
  });
  const ended =
    incoming.system === undefined || incoming.observe === undefined
      ? undefined
      : incoming.observe({ system: incoming.system, transport: incoming.transport, service: route.spec.method.parent.typeName, method: route.spec.method.name });
  const end = (code: number, message?: string): void => {
    call.finish();
    if (span !== undefined) endRpcSpan(span, code, message);
    ended?.(code);
  };
  return { call, end };
}

/** The error of a call that must not reach its handler once its caller is known, if any. */
function refusal(request: unknown, call: ServerCall): RpcError | undefined {
  return undecodable(request) ?? (call.expired ? deadlineExceeded() : undefined);
}

/** Runs the authenticator of the call and sets its identity. */
async function authenticated(authenticate: Authenticator, route: Route, incoming: IncomingCall, call: ServerCall): Promise<void> {
  call.identity = await authenticate({ method: route.spec.path, header: incoming.header });
}

function deadlineExceeded(): RpcError {
  return new RpcError({ code: Code.DEADLINE_EXCEEDED, message: "deadline exceeded" });
}

/** What a handler's failure becomes: the error table's answer, or DEADLINE_EXCEEDED for a cancellation the deadline caused. */
function failure(error: unknown, call: ServerCall, onUnexpected: UnexpectedErrorListener | undefined): RpcError {
  const rpcError = toRpcError(error, onUnexpected);
  return rpcError.code === Code.CANCELLED && call.expired ? deadlineExceeded() : rpcError;
}

/**
 * Serves one unary call — the one lifecycle of every transport (grpc-js, Connect, tunnel, direct): a SERVER
 * span under the caller's trace (unless the transport says the call has none), the call's context with its
 * deadline and cancellation, the caller authenticated (when the server has an authenticator), the request
 * refused before the handler when the transport rejected it, the authenticator refused the caller, or it could
 * not be decoded or came too late, the handler run with its trace context active (a synchronous throw
 * is caught like a rejection), every failure mapped by the error table, and the span ended with the status.
 */
export function serveUnary(
  route: Route,
  request: unknown,
  incoming: IncomingCall,
  onUnexpected: UnexpectedErrorListener | undefined,
): ServedCall<Promise<CallOutcome>> {
  const { call, end } = begin(route, incoming);
  const handler = route.handler as (request: unknown, ctx: CallContext) => Promise<Message>;
  const handle = (): Promise<Message> => {
    const refused = refusal(request, call);
    return refused !== undefined ? Promise.reject(refused) : runInContext(call.traceContext, handler, request, call);
  };
  const authenticate = incoming.authenticate;
  let pending: Promise<Message>;
  if (incoming.rejection !== undefined) pending = Promise.reject(incoming.rejection);
  else if (authenticate !== undefined) pending = authenticated(authenticate, route, incoming, call).then(handle);
  else {
    try {
      pending = handle();
    } catch (error) {
      pending = Promise.reject(error);
    }
  }
  const result = pending.then(
    (response): CallOutcome => {
      end(Code.OK);
      return { ok: true, response };
    },
    (error: unknown): CallOutcome => {
      const rpcError = failure(error, call, onUnexpected);
      end(rpcError.code, rpcError.message);
      return { ok: false, error: rpcError };
    },
  );
  return { call, result };
}

/**
 * Serves one streaming call with the same lifecycle as {@link serveUnary}: the handler's messages are yielded
 * as it makes them; a failure is thrown as the client's {@link RpcError}. When `draining` aborts (the server is
 * shutting down), the handler's signal aborts and the stream ends with UNAVAILABLE, so that the client
 * reconnects (to another replica) instead of taking the end for a finished stream.
 */
export function serveStream(
  route: Route,
  request: unknown,
  incoming: IncomingCall,
  onUnexpected: UnexpectedErrorListener | undefined,
  draining?: AbortSignal,
): ServedCall<AsyncGenerator<Message>> {
  const { call, end } = begin(route, incoming);
  const handler = route.handler as (request: unknown, ctx: CallContext) => AsyncIterable<Message>;
  async function* messages(): AsyncGenerator<Message> {
    // Until the stream completes, an end is the client going away (the transport stopped reading).
    let code: number = Code.CANCELLED;
    let message: string | undefined = "the client cancelled the stream";
    try {
      if (incoming.rejection !== undefined) throw incoming.rejection;
      if (incoming.authenticate !== undefined) await authenticated(incoming.authenticate, route, incoming, call);
      const refused = refusal(request, call);
      if (refused !== undefined) throw refused;
      const items = runInContext(call.traceContext, handler, request, call);
      for await (const item of items) yield item;
      if (draining?.aborted) throw shuttingDown();
      code = Code.OK;
      message = undefined;
    } catch (error) {
      const mapped = failure(error, call, onUnexpected);
      const rpcError = draining?.aborted === true && mapped.code === Code.CANCELLED ? shuttingDown() : mapped;
      code = rpcError.code;
      message = rpcError.message;
      throw rpcError;
    } finally {
      end(code, message);
    }
  }
  return { call, result: messages() };
}

/** The status of a stream cut short by the server's shutdown. */
export function shuttingDown(): RpcError {
  return new RpcError({ code: Code.UNAVAILABLE, message: "the server is shutting down; reconnect (to another instance)" });
}
