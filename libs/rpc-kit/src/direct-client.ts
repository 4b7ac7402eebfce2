import type { DescMessage, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { CallOptions } from "./call-context.js";
import { ClientCall } from "./client-call.js";
import { Code } from "./code.js";
import type { UnexpectedErrorListener } from "./error-table.js";
import { methodSpecs, type MethodSpec } from "./method-spec.js";
import { RpcError } from "./rpc-error.js";
import { serveStream, serveUnary, type IncomingCall, type Route } from "./serve-call.js";
import { MAX_TIMER_MS } from "./server-call.js";
import type { ServiceClient, ServiceImpl } from "./service-types.js";

/** Options of {@link createDirectClient}. */
export interface DirectClientOptions {
  /** The deadline of a call that has neither its own nor a parent's. */
  readonly defaultTimeoutMs: number;
  /** Called with every error a handler threw that is not a domain or RPC error (a bug). */
  readonly onUnexpectedError?: UnexpectedErrorListener;
}

type Message = MessageShape<DescMessage>;

function incomingOf(call: ClientCall, options: CallOptions | undefined): IncomingCall {
  return {
    transport: "direct",
    system: undefined,
    parent: call.traceContext,
    deadline: call.deadline,
    header: (key) => options?.headers?.[key],
    cancellation: call.cancellation,
  };
}

/** Settles with `work`, or rejects when the deadline passes or the signal aborts first. */
function race<T>(work: Promise<T>, deadline: number, signal: AbortSignal | undefined): Promise<T> {
  const delay = deadline - Date.now();
  const timed = delay <= MAX_TIMER_MS;
  if (!timed && signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => reject(new RpcError({ code: Code.CANCELLED, message: "cancelled by the caller" }));
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    if (timed) timer = setTimeout(() => reject(new RpcError({ code: Code.DEADLINE_EXCEEDED, message: "deadline exceeded" })), Math.max(0, delay));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

function unaryCall(route: Route, options: DirectClientOptions) {
  return async (init: MessageInitShape<DescMessage>, callOptions?: CallOptions): Promise<Message> => {
    const call = new ClientCall(route.spec, callOptions, options.defaultTimeoutMs, "in-process");
    const refused = call.refusal();
    if (refused !== undefined) throw call.fail(refused);
    const served = serveUnary(route, route.spec.toRequest(init), incomingOf(call, callOptions), options.onUnexpectedError);
    try {
      const outcome = await race(served.result, call.deadline, callOptions?.signal);
      if (!outcome.ok) throw outcome.error;
      call.end(Code.OK);
      return outcome.response;
    } catch (error) {
      // The caller gave up (deadline or abort) before the handler finished: the handler sees its signal abort,
      // as it would on a cancelled gRPC stream.
      served.call.cancel();
      throw call.fail(error as RpcError);
    }
  };
}

async function* mapRequests(requests: AsyncIterable<MessageInitShape<DescMessage>>, spec: MethodSpec): AsyncGenerator<Message> {
  for await (const request of requests) yield spec.toRequest(request);
}

function streamingCall(route: Route, options: DirectClientOptions) {
  const bidi = route.spec.kind === "bidi_streaming";
  return (input: unknown, callOptions?: CallOptions): AsyncIterable<Message> => ({
    [Symbol.asyncIterator]() {
      const call = new ClientCall(route.spec, callOptions, options.defaultTimeoutMs, "in-process");
      const request = bidi
        ? mapRequests(input as AsyncIterable<MessageInitShape<DescMessage>>, route.spec)
        : route.spec.toRequest(input as MessageInitShape<DescMessage>);
      const messages = serveStream(route, request, incomingOf(call, callOptions), options.onUnexpectedError).result;
      return (async function* () {
        let code: number = Code.CANCELLED;
        let message: string | undefined;
        try {
          yield* messages;
          code = Code.OK;
        } catch (error) {
          code = (error as RpcError).code;
          message = (error as RpcError).message;
          throw error;
        } finally {
          call.end(code, message);
        }
      })();
    },
  });
}

/**
 * A client that calls a service implementation in the same process: the co-located topology. It has the
 * same type and the same error behaviour as the gRPC client (the one call lifecycle maps errors by the same
 * table; deadlines are enforced) and records one span per hop, without any encoding or network. Messages are
 * passed by reference: handlers must not change their requests.
 */
export function createDirectClient<S extends DescService>(service: S, impl: ServiceImpl<S>, options: DirectClientOptions): ServiceClient<S> {
  const implementation = impl as Readonly<Record<string, unknown>>;
  const client: Record<string, unknown> = {};
  for (const spec of methodSpecs(service)) {
    const route: Route = { spec, handler: implementation[spec.localName] as Route["handler"] };
    client[spec.localName] = spec.kind === "unary" ? unaryCall(route, options) : streamingCall(route, options);
  }
  return client as ServiceClient<S>;
}
