/**
 * Span attribute and event names for routing decisions. Attributes carry outcomes (searchable in Jaeger,
 * e.g. `modelrouter.model=digits-general`); events carry the sequence. Values stay low-cardinality and never
 * include payload content.
 */
export const RouteAttr = {
  REQUEST_ID: "modelrouter.request_id",
  POLICY: "modelrouter.policy",
  RULE: "modelrouter.rule",
  MODEL: "modelrouter.model",
  MODEL_VERSION: "modelrouter.model_version",
  FALLBACK: "modelrouter.fallback",
  ATTEMPT: "modelrouter.attempt",
  /** The executor instance (its address) an attempt ran on; absent when the executor is in-process. */
  INSTANCE: "modelrouter.instance",
  CANDIDATES: "modelrouter.candidates",
  MODALITY: "modelrouter.modality",
  TENANT: "modelrouter.tenant",
} as const;

/** Span event names of the routing sequence. */
export const RouteEvent = {
  POLICY_EVALUATED: "policy.evaluated",
  POLICY_MATCHED: "policy.matched",
  ROUTE_CHOSEN: "route.chosen",
  FALLBACK_TRIGGERED: "fallback.triggered",
  ATTEMPT_FAILED: "attempt.failed",
} as const;
