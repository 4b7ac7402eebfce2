import type { Context } from "@opentelemetry/api";
import type { CallContext, Transport } from "./call-context.js";
import { ANONYMOUS_ADMIN, type CallerIdentity } from "./identity.js";

/** setTimeout's largest delay (about 24.8 days); a longer wait would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Registers `abort` with something that can cancel a call; returns the function that unregisters it. */
export type Subscribe = (abort: () => void) => () => void;

/**
 * Where a call's cancellation can come from: the caller's own signal, the call it is made for, or a transport
 * event (a gRPC stream's "cancelled", a tunnel's cancel frame, the server starting to drain).
 */
export type CancellationSource = AbortSignal | CallContext | Subscribe | undefined;

/** What a transport knows about a call it hands to its handler. */
export interface ServerCallInit {
  readonly transport: Transport;
  readonly method: string;
  /** Absolute deadline in epoch ms; `Infinity` when the caller set none. */
  readonly deadline: number;
  readonly traceContext: Context;
  readonly header: (key: string) => string | undefined;
  readonly cancellation: readonly CancellationSource[];
  /** Who makes the call (default `ANONYMOUS_ADMIN`). */
  readonly identity?: CallerIdentity;
}

const noHeader = (): undefined => undefined;

/**
 * The {@link CallContext} of every call a handler serves, whatever carried it (gRPC, Connect, a tunnel, a direct
 * call). Its signal is created only when the handler asks for it — most never do, and an AbortController per
 * call (and a DOMException per abort) is measurable on a hot path — and then aborts at the deadline, when a
 * cancellation source fires, or on {@link ServerCall.cancel}. After {@link ServerCall.finish} nothing aborts it:
 * a stream that closes after the answer is not a cancellation.
 */
export class ServerCall implements CallContext {
  readonly transport: Transport;
  readonly method: string;
  readonly deadline: number;
  readonly traceContext: Context;
  /** Who makes the call; the server's authenticator sets it before the handler runs. */
  identity: CallerIdentity;
  readonly #header: (key: string) => string | undefined;
  readonly #sources: readonly CancellationSource[];
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void)[] = [];
  #cancelled = false;
  #expired = false;
  #finished = false;

  constructor(init: ServerCallInit) {
    this.transport = init.transport;
    this.method = init.method;
    this.deadline = init.deadline;
    this.traceContext = init.traceContext;
    this.identity = init.identity ?? ANONYMOUS_ADMIN;
    this.#header = init.header ?? noHeader;
    this.#sources = init.cancellation;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#finished) return controller.signal;
      const abort = (): void => {
        if (!this.#finished && !controller.signal.aborted) controller.abort();
      };
      const delay = this.deadline - Date.now();
      if (this.#cancelled || delay <= 0) abort();
      else if (delay <= MAX_TIMER_MS) {
        this.#timer = setTimeout(() => {
          this.#expired = true;
          abort();
        }, delay);
        this.#timer.unref();
      }
      for (const source of this.#sources) {
        if (source === undefined || controller.signal.aborted) continue;
        this.#unsubscribe.push(subscribe(source, abort));
      }
    }
    return this.#controller.signal;
  }

  /**
   * True once the deadline passed (or its timer aborted the signal: a timer may fire a millisecond before
   * `Date.now()` reaches the deadline).
   */
  get expired(): boolean {
    return this.#expired || Date.now() >= this.deadline;
  }

  header(key: string): string | undefined {
    return this.#header(key);
  }

  /** Cancels the call: its signal aborts (now, or as soon as the handler asks for it). */
  cancel(): void {
    this.#cancelled = true;
    if (!this.#finished) this.#controller?.abort();
  }

  /** The call is over: releases the deadline timer and the listeners on the sources; later events are ignored. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
  }
}

function subscribe(source: Exclude<CancellationSource, undefined>, abort: () => void): () => void {
  if (typeof source === "function") return source(abort);
  const signal = source instanceof AbortSignal ? source : source.signal;
  if (signal.aborted) {
    abort();
    return () => undefined;
  }
  signal.addEventListener("abort", abort, { once: true });
  return () => signal.removeEventListener("abort", abort);
}

/** A {@link Subscribe} for an AbortSignal that may never be needed (the server's drain signal, say). */
export function onAbort(signal: AbortSignal): Subscribe {
  return (abort) => subscribe(signal, abort);
}
