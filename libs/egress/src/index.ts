/**
 * Where executors may connect to reach remote model servers, and how they find the credentials to send.
 *
 * - The egress policy ({@link parseEgressPolicy}, {@link readEgressPolicy}) from `MODELROUTER_EGRESS_*`.
 * - The static URL check at registration ({@link checkEndpointUrl}), the connect-time check against DNS
 *   rebinding ({@link resolveEndpoint}, with a passed-in lookup) and the redirect rule ({@link redirectAllowed}).
 * - Credential references (`env:NAME`, `file:/path`), read with passed-in sources into a {@link Redacted}.
 *
 * Pure: DNS lookups and file reads are passed in.
 *
 * @packageDocumentation
 */
export {
  DEFAULT_EGRESS_POLICY,
  EGRESS_SETTINGS,
  KNOWN_SCHEMES,
  parseEgressPolicy,
  readEgressPolicy,
  type EgressPolicy,
  type EgressPolicyResult,
  type EgressSettings,
  type EndpointScheme,
  type SettingsReader,
} from "./egress-policy.js";
export type { HostPattern } from "./host-pattern.js";
export { parseIp, type IpAddress } from "./ip-address.js";
export {
  MAX_ENDPOINT_URL_LENGTH,
  checkEndpointUrl,
  endpointUrlProblem,
  type EndpointTarget,
  type EndpointUrlCheck,
} from "./endpoint-url.js";
export { resolveEndpoint, type Lookup, type ResolvedEndpoint } from "./resolve-endpoint.js";
export { redirectAllowed } from "./redirect.js";
export {
  MAX_CREDENTIAL_REF_LENGTH,
  credentialRefProblem,
  formatCredentialRef,
  parseCredentialRef,
  type CredentialRef,
  type CredentialRefParse,
} from "./credential-ref.js";
export { CredentialError, readCredential, type CredentialSources } from "./read-credential.js";
export { Redacted } from "./redacted.js";
