import type { DescService } from "@bufbuild/protobuf";
import { serviceRegistration, type ServiceImpl, type ServiceRegistration, type StreamLifetime } from "@modelrouter/rpc-kit";

/**
 * One modelrouter service as a process hosts it, whichever process that is: its handlers, when it can serve,
 * and how to stop what it runs. Every service library's `start…` function returns one, and the same component
 * is served over gRPC in its own process (distributed) or called in-process by the router (co-located).
 */
export interface Component<S extends DescService = DescService> {
  readonly service: S;
  readonly impl: ServiceImpl<S>;
  /** Settles once it can serve (a first snapshot loaded, workers started); until then it reports NOT_SERVING. */
  readonly ready?: Promise<void>;
  /** Stops what it runs (a database, a worker pool, a watch). */
  readonly close?: () => Promise<void>;
  /** What its server streams are (default `"subscription"`: ended at once when the server drains). */
  readonly streams?: StreamLifetime;
}

/** The component's service and handlers, to serve. */
export function registrationOf(component: Component): ServiceRegistration {
  return serviceRegistration(component.service, component.impl as ServiceImpl<DescService>, component.streams);
}
