import { Code } from "@modelrouter/rpc-kit";
import { isRetryableOnAnother, oipError } from "./oip-errors.js";
import type { OipCall, OipTransport } from "./oip-types.js";

/** What a pool needs of an endpoint's transport: its URL and how to close its connection. */
export interface PooledTransport {
  /** The endpoint's URL, as registered (never holds a credential). */
  readonly url: string;
  close(): void;
}

/** One endpoint of a remote model and what the pool knows of it. */
interface Member<T extends PooledTransport> {
  readonly transport: T;
  inFlight: number;
  /** Whether its last readiness check passed (true until the first check). */
  ready: boolean;
}

/** Options of {@link EndpointPool}. */
export interface EndpointPoolOptions<T extends PooledTransport = OipTransport> {
  /** The model and version at the servers, for the readiness checks of OIP transports (`modelReady`). */
  readonly model: string;
  readonly version: string;
  /** Whether an endpoint is ready (another protocol's check); default: an OIP transport's `modelReady(model, version)`. */
  readonly isReady?: (transport: T, call: OipCall) => Promise<boolean>;
  /** How often each endpoint's readiness is checked, in milliseconds; 0: never (tests). */
  readonly healthIntervalMs: number;
  /** Picks a random number in [0, 1) (tests fix it). */
  readonly random?: () => number;
  /** Called when an endpoint's readiness changes, for a log line. */
  readonly onReadiness?: (url: string, ready: boolean, problem: string | undefined) => void;
}

/**
 * The endpoints of one remote model as instances of it: each call goes to the less loaded (by calls in flight)
 * of two endpoints picked at random among the ready ones (among all when none is ready), and a failure another
 * endpoint may take (UNAVAILABLE, or never sent) is retried on an endpoint not tried yet, within the deadline.
 * Each endpoint's readiness (`ModelReady` for OIP, `options.isReady` for another protocol) is checked every
 * `healthIntervalMs` in the background.
 */
export class EndpointPool<T extends PooledTransport = OipTransport> {
  readonly #members: Member<T>[];
  readonly #isReady: (transport: T, call: OipCall) => Promise<boolean>;
  readonly #random: () => number;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #stop = new AbortController();

  constructor(
    transports: readonly NoInfer<T>[],
    private readonly options: EndpointPoolOptions<T>,
  ) {
    this.#members = transports.map((transport) => ({ transport, inFlight: 0, ready: true }));
    this.#isReady = options.isReady ?? ((transport, call) => oipReady(transport, options.model, options.version, call));
    this.#random = options.random ?? Math.random;
    if (options.healthIntervalMs > 0) {
      this.#timer = setInterval(() => void this.checkReadiness(), options.healthIntervalMs);
      this.#timer.unref();
    }
  }

  /** The endpoints' URLs, in registration order. */
  get urls(): readonly string[] {
    return this.#members.map((m) => m.transport.url);
  }

  /**
   * Runs `fn` on an endpoint chosen by load, and on the next one after a failure another may take, until one
   * answers, a failure that must not be retried, or every endpoint was tried (the last failure is thrown).
   */
  async run<R>(call: OipCall, fn: (transport: T) => Promise<R>): Promise<R> {
    const tried = new Set<Member<T>>();
    let last: unknown = oipError(Code.UNAVAILABLE, this.urls.join(", "), "no endpoint");
    while (tried.size < this.#members.length) {
      if (call.signal.aborted || call.deadline <= Date.now()) break;
      const member = this.#pick(tried);
      tried.add(member);
      member.inFlight++;
      try {
        return await fn(member.transport);
      } catch (error) {
        last = error;
        if (!isRetryableOnAnother(error)) throw error;
      } finally {
        member.inFlight--;
      }
    }
    throw last;
  }

  /** Checks every endpoint's readiness once (the background loop calls it); resolves when all answered. */
  async checkReadiness(): Promise<void> {
    const timeoutMs = Math.max(1, Math.min(this.options.healthIntervalMs || 2_000, 2_000));
    await Promise.all(
      this.#members.map(async (member) => {
        let ready = false;
        let problem: string | undefined;
        try {
          ready = await this.#isReady(member.transport, { deadline: Date.now() + timeoutMs, signal: this.#stop.signal });
          if (!ready) problem = "the model is not ready";
        } catch (error) {
          problem = error instanceof Error ? error.message : String(error);
        }
        if (this.#stop.signal.aborted) return;
        if (ready !== member.ready) this.options.onReadiness?.(member.transport.url, ready, problem);
        member.ready = ready;
      }),
    );
  }

  /** Stops the health checks and closes every endpoint's connection. */
  close(): void {
    this.#stop.abort();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const m of this.#members) m.transport.close();
  }

  #pick(tried: ReadonlySet<Member<T>>): Member<T> {
    const untried = this.#members.filter((m) => !tried.has(m));
    const ready = untried.filter((m) => m.ready);
    const pool = ready.length > 0 ? ready : untried;
    const index = pickOfTwo(pool.length, (i) => pool[i]?.inFlight ?? 0, this.#random);
    return pool[index] as Member<T>;
  }
}

/** The readiness of an OIP transport's model; a transport of another protocol must come with `isReady`. */
function oipReady(transport: PooledTransport, model: string, version: string, call: OipCall): Promise<boolean> {
  const oip = transport as Partial<OipTransport>;
  if (typeof oip.modelReady !== "function") return Promise.reject(new Error(`endpoint ${transport.url} has no readiness check: pass isReady`));
  return oip.modelReady.call(transport, model, version, call);
}

/** The less loaded of two options drawn at random (the first on a tie); 0 with one option. */
function pickOfTwo(count: number, loadOf: (index: number) => number, random: () => number): number {
  if (count <= 1) return 0;
  const first = Math.min(count - 1, Math.floor(random() * count));
  const second = (first + 1 + Math.min(count - 2, Math.floor(random() * (count - 1)))) % count;
  return loadOf(second) < loadOf(first) ? second : first;
}
