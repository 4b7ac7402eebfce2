import { trace, type Context, type Span } from "@opentelemetry/api";
import { anySignal, resolveDeadline, type CallOptions } from "./call-context.js";
import { Code } from "./code.js";
import type { MethodSpec } from "./method-spec.js";
import { RpcError } from "./rpc-error.js";
import type { CancellationSource } from "./server-call.js";
import {
  endRpcSpan,
  injectContext,
  parentTraceContext,
  recordSetter,
  startClientSpan,
  startDirectSpan,
} from "./tracing.js";

/** Where a call goes: a server at `host:port`, or a handler in this process. */
export type Peer = { readonly host: string; readonly port: number | undefined } | "in-process";

/**
 * One outbound call as every client starts it (gRPC, tunnel, direct): its deadline (its own, capped by its
 * parent's, else the parent's, else the default), its span (CLIENT for a remote peer, the one INTERNAL span of
 * an in-process hop) under the caller's trace, the headers to send with the trace context in them, and its
 * cancellation (the caller's signal and its parent call's).
 */
export class ClientCall {
  readonly span: Span;
  /** The caller's trace context with this call's span in it. */
  readonly traceContext: Context;
  readonly deadline: number;
  /** The caller's headers plus the W3C trace context of this call's span. */
  readonly headers: Record<string, string>;
  readonly #options: CallOptions | undefined;
  #signal: AbortSignal | undefined | null = null;
  #ended = false;

  constructor(spec: MethodSpec, options: CallOptions | undefined, defaultTimeoutMs: number, peer: Peer) {
    this.#options = options;
    const parent = parentTraceContext(options);
    this.span = peer === "in-process" ? startDirectSpan(spec, parent) : startClientSpan(spec, peer.host, peer.port, parent);
    this.traceContext = trace.setSpan(parent, this.span);
    this.deadline = resolveDeadline(options, defaultTimeoutMs, Date.now());
    this.headers = { ...options?.headers };
    if (peer !== "in-process") injectContext(this.span, parent, this.headers, recordSetter);
  }

  /** The caller's cancellation as one signal (undefined when it has none), made on first use. */
  get signal(): AbortSignal | undefined {
    if (this.#signal === null) this.#signal = anySignal([this.#options?.signal, this.#options?.parent?.signal]);
    return this.#signal;
  }

  /** The caller's cancellation sources, for a call served in this process. */
  get cancellation(): readonly CancellationSource[] {
    return [this.#options?.signal, this.#options?.parent];
  }

  /**
   * Why the call must not be sent — its deadline passed, or its caller cancelled it — or undefined. The parent
   * call's cancellation is seen here only once {@link ClientCall.signal} was made (an in-process call leaves the
   * parent's signal alone unless its handler asks for it).
   */
  refusal(now: number = Date.now()): RpcError | undefined {
    if (this.deadline <= now) return new RpcError({ code: Code.DEADLINE_EXCEEDED, message: "deadline exceeded before the call was sent" });
    if (this.#options?.signal?.aborted === true || (this.#signal !== null && this.#signal?.aborted === true)) {
      return new RpcError({ code: Code.CANCELLED, message: "cancelled before the call was sent" });
    }
    return undefined;
  }

  /** Records the outcome on the span and ends it (once). */
  end(code: number, message?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    endRpcSpan(this.span, code, message);
  }

  /** Ends the span with the error and returns it, for `throw call.fail(error)`. */
  fail(error: RpcError): RpcError {
    this.end(error.code, error.message);
    return error;
  }
}
