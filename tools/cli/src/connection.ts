import { RegistryService, RouterService } from "@modelrouter/contracts";
import { createGrpcChannel, createGrpcClient, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";

/** Where the services are and how long a call may take. */
export interface ConnectionOptions {
  readonly router: string;
  readonly registry: string;
  readonly timeoutMs: number;
}

/** Lazily opened clients of the router and the registry; `close()` closes what was opened. */
export class Connection {
  #channels: GrpcChannel[] = [];
  #router: ServiceClient<typeof RouterService> | undefined;
  #registry: ServiceClient<typeof RegistryService> | undefined;

  constructor(readonly options: ConnectionOptions) {}

  get router(): ServiceClient<typeof RouterService> {
    this.#router ??= createGrpcClient(RouterService, this.#open(this.options.router), { defaultTimeoutMs: this.options.timeoutMs });
    return this.#router;
  }

  get registry(): ServiceClient<typeof RegistryService> {
    this.#registry ??= createGrpcClient(RegistryService, this.#open(this.options.registry), {
      defaultTimeoutMs: this.options.timeoutMs,
    });
    return this.#registry;
  }

  close(): void {
    for (const channel of this.#channels) channel.close();
    this.#channels = [];
  }

  #open(address: string): GrpcChannel {
    const channel = createGrpcChannel(address);
    this.#channels.push(channel);
    return channel;
  }
}
