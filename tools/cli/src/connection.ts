import { RegistryService, RouterService } from "@modelrouter/contracts";
import { createGrpcChannel, createGrpcClient, type ClientTls, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";

/** Where the services are and how long a call may take. */
export interface ConnectionOptions {
  readonly router: string;
  readonly registry: string;
  readonly timeoutMs: number;
  /** Who runs the CLI (`$MODELROUTER_CALLER`, else `$USER`): kept by the registry with the policies it applies. */
  readonly caller?: string;
  /** The credential (`--api-key`, else `$MODELROUTER_API_KEY`): an API key or the admin token, sent as a bearer token on every call. */
  readonly apiKey?: string | undefined;
  /** TLS of the calls to the router and to the registry (`--tls-ca`, `--tls-cert`/`--tls-key`, an `https://` address); none: plaintext. */
  readonly tls?: { readonly router?: ClientTls | undefined; readonly registry?: ClientTls | undefined };
}

/** What to do about an UNAUTHENTICATED answer. */
export const CREDENTIAL_HINT = "set --api-key or MODELROUTER_API_KEY to an API key (or the admin token)";

/** The headers of every call: the credential as `authorization: Bearer`, when there is one. */
export function credentialHeaders(apiKey: string | undefined): Readonly<Record<string, string>> | undefined {
  return apiKey === undefined || apiKey === "" ? undefined : { authorization: `Bearer ${apiKey}` };
}

/** The request header naming the caller, which the registry keeps as a policy revision's `applied_by`. */
export const CALLER_HEADER = "x-modelrouter-caller";

/** Lazily opened clients of the router and the registry; `close()` closes what was opened. */
export class Connection {
  #channels: GrpcChannel[] = [];
  #router: ServiceClient<typeof RouterService> | undefined;
  #registry: ServiceClient<typeof RegistryService> | undefined;

  constructor(readonly options: ConnectionOptions) {}

  get router(): ServiceClient<typeof RouterService> {
    this.#router ??= createGrpcClient(RouterService, this.#open(this.options.router, this.options.tls?.router), {
      defaultTimeoutMs: this.options.timeoutMs,
      headers: credentialHeaders(this.options.apiKey),
    });
    return this.#router;
  }

  get registry(): ServiceClient<typeof RegistryService> {
    this.#registry ??= createGrpcClient(RegistryService, this.#open(this.options.registry, this.options.tls?.registry), {
      defaultTimeoutMs: this.options.timeoutMs,
      headers: credentialHeaders(this.options.apiKey),
    });
    return this.#registry;
  }

  /** The headers of calls that change policies: the caller's name, when known. */
  get callerHeaders(): Readonly<Record<string, string>> {
    return this.options.caller === undefined || this.options.caller === "" ? {} : { [CALLER_HEADER]: this.options.caller };
  }

  close(): void {
    for (const channel of this.#channels) channel.close();
    this.#channels = [];
    this.options.tls?.router?.files.close();
    this.options.tls?.registry?.files.close();
  }

  #open(address: string, tls: ClientTls | undefined): GrpcChannel {
    const channel = createGrpcChannel(address, { tls });
    this.#channels.push(channel);
    return channel;
  }
}
