import type { EndpointAccess } from "./endpoint-access.js";
import type { EndpointUrl } from "./endpoint-url.js";

/** What a transport connects with: the addresses it may use (pinned) and the bearer credential, if any. */
export interface EndpointConnection {
  readonly addresses: readonly string[];
  readonly credential: string | undefined;
}

/**
 * Resolves an endpoint once through `access` and remembers it until `forget` (after a connection failure, so
 * that the next call resolves again and the egress policy sees the new addresses).
 */
export class EndpointConnector {
  #pending: Promise<EndpointConnection> | undefined;

  constructor(
    private readonly endpoint: EndpointUrl,
    private readonly credentialRef: string,
    private readonly access: EndpointAccess,
  ) {}

  /** The resolved connection; rejects with the access's refusal. */
  connection(): Promise<EndpointConnection> {
    this.#pending ??= this.#resolve();
    const pending = this.#pending;
    pending.catch(() => {
      if (this.#pending === pending) this.#pending = undefined;
    });
    return pending;
  }

  forget(): void {
    this.#pending = undefined;
  }

  async #resolve(): Promise<EndpointConnection> {
    const [addresses, credential] = await Promise.all([this.access.resolve(this.endpoint.url), this.access.credential(this.credentialRef)]);
    if (addresses.length === 0) throw new Error(`${this.endpoint.host} resolved to no address`);
    return { addresses, credential };
  }
}
