import type { Context } from "@opentelemetry/api";
import type { CallContext, Transport } from "./call-context.js";

/** setTimeout's largest delay (about 24.8 days); longer deadlines are treated as none. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where a call's cancellation can come from: the caller's own signal, or the call it is made for. */
export type CancellationSource = AbortSignal | CallContext | undefined;

/**
 * The context of a call handled in this process without its own HTTP/2 stream: an in-process (direct) call,
 * or a call carried by a tunnel. Its signal is created only when the handler asks for it — most never do, and
 * an AbortController per call (and a DOMException per abort) is measurable on a hot path — and then aborts at
 * the deadline, when a source aborts, or on {@link cancel}.
 */
export class LocalCallContext implements CallContext {
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #cancelled = false;
  #expired = false;
  #links: [AbortSignal, () => void][] = [];

  constructor(
    readonly transport: Transport,
    readonly method: string,
    readonly deadline: number,
    private readonly sources: readonly CancellationSource[],
    private readonly headers: Readonly<Record<string, string>> | undefined,
    readonly traceContext: Context,
  ) {}

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      const abort = (): void => controller.abort();
      const delay = this.deadline - Date.now();
      if (this.#cancelled || delay <= 0) abort();
      else if (delay <= MAX_TIMER_MS) {
        this.#timer = setTimeout(() => {
          this.#expired = true;
          abort();
        }, delay);
        this.#timer.unref();
      }
      for (const source of this.sources) {
        const signal = source instanceof AbortSignal ? source : source?.signal;
        if (signal === undefined || controller.signal.aborted) continue;
        if (signal.aborted) abort();
        else {
          signal.addEventListener("abort", abort, { once: true });
          this.#links.push([signal, abort]);
        }
      }
    }
    return this.#controller.signal;
  }

  /**
   * True once the deadline timer aborted the signal (a timer may fire a millisecond before `Date.now()` reaches
   * the deadline).
   */
  get expired(): boolean {
    return this.#expired || Date.now() >= this.deadline;
  }

  header(key: string): string | undefined {
    return this.headers?.[key];
  }

  /** Cancels the call: its signal aborts (now, or as soon as the handler asks for it). */
  cancel(): void {
    this.#cancelled = true;
    this.#controller?.abort();
  }

  /** Releases what the signal holds (its timer, its listeners on the sources) once the call is over. */
  finish(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const [signal, listener] of this.#links) signal.removeEventListener("abort", listener);
    this.#links = [];
  }
}
