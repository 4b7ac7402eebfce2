import { create } from "@bufbuild/protobuf";
import {
  type Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "@modelrouter/contracts";
import { AsyncQueue } from "./async-queue.js";
import { Code } from "./code.js";
import { RpcError } from "./rpc-error.js";
import type { ServiceImpl } from "./service-types.js";

export { ServingStatus };

/**
 * The health service name of the process's liveness: SERVING as long as the process answers at all (its event
 * loop runs), also while it starts or drains. For a Kubernetes liveness probe; the readiness probe asks for
 * the empty name.
 */
export const LIVENESS_SERVICE = "liveness";

type Listener = (service: string, status: ServingStatus) => void;

/**
 * The serving status of a process and of each service it hosts, as `grpc.health.v1.Health` reports it.
 *
 * - A hosted service is NOT_SERVING until the process listens, then SERVING — unless its status is set
 *   explicitly (a service waiting for its first snapshot is held NOT_SERVING until it is ready).
 * - The empty name is the process's **readiness**: SERVING only when it listens, every hosted service is
 *   SERVING and it is not shutting down.
 * - {@link LIVENESS_SERVICE} is SERVING whenever the process answers.
 * - After {@link HealthState.shutDown} everything but liveness is NOT_SERVING for good.
 */
export class HealthState {
  readonly #registered = new Set<string>();
  readonly #explicit = new Map<string, ServingStatus>();
  readonly #listeners = new Set<Listener>();
  #listening = false;
  #shutDown = false;

  /** Adds a hosted service (NOT_SERVING until the process listens). */
  register(service: string): void {
    this.#change(() => this.#registered.add(service));
  }

  /** Sets a hosted service's status explicitly (registering it if needed). */
  set(service: string, status: ServingStatus): void {
    this.#change(() => {
      this.#registered.add(service);
      this.#explicit.set(service, status);
    });
  }

  /** The process listens: hosted services without an explicit status become SERVING. */
  listening(): void {
    this.#change(() => (this.#listening = true));
  }

  /** The process is shutting down: NOT_SERVING from now on (liveness aside). */
  shutDown(): void {
    this.#change(() => (this.#shutDown = true));
  }

  /** A service's status, the process's readiness for "", or undefined for a service it does not host. */
  get(service: string): ServingStatus | undefined {
    if (service === LIVENESS_SERVICE) return ServingStatus.SERVING;
    if (service === "") {
      const ready = !this.#shutDown && this.#listening && [...this.#registered].every((s) => this.#statusOf(s) === ServingStatus.SERVING);
      return ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    }
    return this.#registered.has(service) ? this.#statusOf(service) : undefined;
  }

  /** Calls `listener` on every change of any status; returns the function that stops it. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #statusOf(service: string): ServingStatus {
    if (this.#shutDown) return ServingStatus.NOT_SERVING;
    return this.#explicit.get(service) ?? (this.#listening ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  #snapshot(): Map<string, ServingStatus> {
    const statuses = new Map<string, ServingStatus>();
    for (const service of ["", ...this.#registered]) statuses.set(service, this.get(service)!);
    return statuses;
  }

  #change(mutate: () => unknown): void {
    const before = this.#snapshot();
    mutate();
    for (const [service, status] of this.#snapshot()) {
      if (before.get(service) === status) continue;
      for (const listener of this.#listeners) listener(service, status);
    }
  }
}

/** The `grpc.health.v1.Health` implementation over a {@link HealthState}. */
export function createHealthImpl(state: HealthState): ServiceImpl<typeof Health> {
  return {
    check(request) {
      const status = state.get(request.service);
      if (status === undefined) {
        return Promise.reject(new RpcError({ code: Code.NOT_FOUND, message: `unknown service ${JSON.stringify(request.service.slice(0, 200))}` }));
      }
      return Promise.resolve(create(HealthCheckResponseSchema, { status }));
    },
    async *watch(request, ctx) {
      const queue = new AsyncQueue<ServingStatus>(ctx.signal);
      const unsubscribe = state.subscribe((service, status) => {
        if (service === request.service) queue.push(status);
      });
      try {
        yield create(HealthCheckResponseSchema, {
          status: state.get(request.service) ?? ServingStatus.SERVICE_UNKNOWN,
        });
        for await (const status of queue) yield create(HealthCheckResponseSchema, { status });
      } finally {
        unsubscribe();
      }
    },
  };
}
