/**
 * The catalogue of error reasons. A reason is stable, UPPER_SNAKE_CASE and unique within the
 * `modelrouter.dev` domain; clients branch on it (AIP-193), never on message text. Each reason's
 * gRPC code is fixed by the one error table in `@modelrouter/rpc-kit`.
 */
export const ErrorReason = {
  /** A request field is invalid; the field violations say which and why. */
  INVALID_FIELD: "INVALID_FIELD",
  /** A policy does not compile; metadata names the field and, for CEL, the position. */
  POLICY_INVALID: "POLICY_INVALID",
  /** The payload does not fit the model it was routed to (for example text for an image model). */
  PAYLOAD_UNSUPPORTED: "PAYLOAD_UNSUPPORTED",
  MODEL_NOT_FOUND: "MODEL_NOT_FOUND",
  /** An API key id that was never created. */
  API_KEY_NOT_FOUND: "API_KEY_NOT_FOUND",
  POLICY_NOT_FOUND: "POLICY_NOT_FOUND",
  /** Feedback names a request id the router does not know (never seen, or expired). */
  REQUEST_NOT_FOUND: "REQUEST_NOT_FOUND",
  MODEL_VERSION_EXISTS: "MODEL_VERSION_EXISTS",
  POLICY_EXISTS: "POLICY_EXISTS",
  /** A write carried an `expected_revision` that is not the resource's current revision. */
  REVISION_CONFLICT: "REVISION_CONFLICT",
  /** No policy applies to the request, or none that applies has a matching rule or a default route. */
  NO_ROUTE: "NO_ROUTE",
  /** The deciding route's targets resolve to no servable model version. */
  NO_SERVABLE_MODEL: "NO_SERVABLE_MODEL",
  /** The model cannot be loaded or run right now; another model may serve the request. */
  MODEL_UNAVAILABLE: "MODEL_UNAVAILABLE",
  /** The service is starting (for example still loading its snapshot) or shutting down. */
  SERVICE_NOT_READY: "SERVICE_NOT_READY",
  /** A bounded queue is full; retry later or elsewhere. */
  OVERLOADED: "OVERLOADED",
  /**
   * A configured quota is used up (for example the registry's most model versions); metadata names the
   * `limit` and the `setting` that raises it. Retrying does not help until something is removed.
   */
  QUOTA_EXCEEDED: "QUOTA_EXCEEDED",
  /**
   * A tenant sent more requests than its rate limit allows (a token bucket); metadata names the `tenant`, the
   * `limit`, the `setting` that raises it and `retryAfterMs`, when the next request would be admitted.
   */
  TENANT_RATE_LIMITED: "TENANT_RATE_LIMITED",
  /** A tenant has as many requests in flight as its concurrency quota allows; retry once one of them ended. */
  TENANT_CONCURRENCY_LIMITED: "TENANT_CONCURRENCY_LIMITED",
  /**
   * The router sheds load: its adaptive concurrency limit for the request's tier is reached. Retry after
   * `retryAfterMs`, or at another replica.
   */
  LOAD_SHED: "LOAD_SHED",
  /** No credential, or one that is malformed, unknown, expired or revoked. The credential is never repeated. */
  UNAUTHENTICATED: "UNAUTHENTICATED",
  /** A valid credential whose roles (or tenant) do not allow the call. */
  PERMISSION_DENIED: "PERMISSION_DENIED",
  /** The credential cannot be checked now (the registry that knows API keys is unreachable); retry shortly. */
  CREDENTIAL_UNVERIFIABLE: "CREDENTIAL_UNVERIFIABLE",
  DEADLINE_EXCEEDED: "DEADLINE_EXCEEDED",
  CANCELLED: "CANCELLED",
  /** A bug. The message says nothing secret; the cause is logged. */
  INTERNAL: "INTERNAL",
} as const;

/** One of the reasons in {@link ErrorReason}. */
export type ErrorReason = (typeof ErrorReason)[keyof typeof ErrorReason];

/** The ErrorInfo domain of every modelrouter error. */
export const ERROR_DOMAIN = "modelrouter.dev";
