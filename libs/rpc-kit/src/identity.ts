/**
 * Who made a call, as the server's authenticator established it: its subject, its tenant and its roles. The
 * roles are `@modelrouter/auth`'s names ("admin", "policy-editor", "client", "viewer"; "internal" for another
 * modelrouter service); the RPC kit carries them without interpreting them.
 */
export interface CallerIdentity {
  /** How it was established. */
  readonly kind: "anonymous" | "api-key" | "jwt" | "internal";
  /** A stable name for logs and the audit log: "key:<id>", a JWT's "sub", "internal:<service>", "anonymous". */
  readonly subject: string;
  /** The tenant its requests belong to; "" for an identity of no tenant (an admin without one, a service). */
  readonly tenant: string;
  readonly roles: readonly string[];
  /** The service tier its requests are served at (an API key's `tier`, a JWT's tier claim); absent: the request's own. */
  readonly tier?: string;
}

/** The identity of every call when authentication is off: anonymous, of no tenant, allowed everything. */
export const ANONYMOUS_ADMIN: CallerIdentity = Object.freeze({ kind: "anonymous", subject: "anonymous", tenant: "", roles: Object.freeze(["admin"]) });

/** What an authenticator sees of a call before its handler runs. */
export interface CallCredentials {
  /** The full method path, for example `/modelrouter.registry.v1.RegistryService/RegisterModel`. */
  readonly method: string;
  /** A request header (gRPC metadata) value; keys are lower case. */
  header(key: string): string | undefined;
}

/**
 * Decides who makes a call and whether it may: resolves with the caller's identity, or rejects with an `RpcError`
 * (UNAUTHENTICATED for missing or bad credentials, PERMISSION_DENIED for a method its roles do not allow). It runs
 * once per call, before the handler and before the request is decoded, on every transport (gRPC, tunnel, Connect).
 */
export type Authenticator = (call: CallCredentials) => Promise<CallerIdentity>;
