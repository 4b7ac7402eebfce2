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

type Listener = (service: string, status: ServingStatus) => void;

/**
 * The serving status of a process and of each service it hosts, as `grpc.health.v1.Health` reports it.
 * The empty service name is the whole process.
 */
export class HealthState {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #listeners = new Set<Listener>();

  set(service: string, status: ServingStatus): void {
    if (this.#statuses.get(service) === status) return;
    this.#statuses.set(service, status);
    for (const listener of this.#listeners) listener(service, status);
  }

  get(service: string): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  /** Sets every known service, and the process, to one status. */
  setAll(status: ServingStatus): void {
    for (const service of [...this.#statuses.keys(), ""]) this.set(service, status);
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** The `grpc.health.v1.Health` implementation over a {@link HealthState}. */
export function createHealthImpl(state: HealthState): ServiceImpl<typeof Health> {
  return {
    check(request) {
      const status = state.get(request.service);
      if (status === undefined) {
        return Promise.reject(
          new RpcError({ code: Code.NOT_FOUND, message: `unknown service "${request.service}"` }),
        );
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
