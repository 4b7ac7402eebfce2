import { DomainError, ErrorReason } from "@modelrouter/errors";
import { RETRY_AFTER_MS_KEY } from "@modelrouter/rpc-kit";
import { createAdaptiveConcurrency, isAdmitted, type AdaptiveConcurrency, type AdaptiveConcurrencySettings, type ShedFacts } from "./adaptive-concurrency.js";
import { createTenantLimiter, isTenantSlot, type TenantLimit, type TenantLimiter, type TenantLimitSettings, type TenantRefusal } from "./tenant-limiter.js";

/** The variable that sets the tenants' limits, named in refusals. */
export const TENANT_LIMITS_SETTING = "MODELROUTER_TENANT_LIMITS";

/** What the gate in front of Infer, InferStream and Explain enforces. */
export interface RequestGateSettings {
  readonly tenants: TenantLimitSettings;
  /** The adaptive concurrency limit; undefined turns admission control off (tenant limits still apply). */
  readonly admission: AdaptiveConcurrencySettings | undefined;
  /** The service tiers from the highest to the lowest; an unknown or empty tier is the lowest. */
  readonly tiers: readonly string[];
}

/** What a request is: only Infer's latencies teach the adaptive limit (streams and explanations hold a slot only). */
export type GatedCall = "infer" | "stream" | "explain";

/** How a gated request ended: answered, failed because something downstream was overloaded, or failed otherwise. */
export type GatedOutcome = "ok" | "overloaded" | "failed";

/** An admitted request: ended once (a second end does nothing). */
export interface GatePass {
  end(outcome: GatedOutcome): void;
}

/** The per-tenant limits and the router's admission control, checked before a request does any work. */
export interface RequestGate {
  /**
   * Admits a request of `tenant` and (resolved) `tier`.
   *
   * @throws DomainError TENANT_CONCURRENCY_LIMITED or TENANT_RATE_LIMITED (RESOURCE_EXHAUSTED) for the tenant's
   * limits, LOAD_SHED (UNAVAILABLE) when the tier's share of the adaptive limit is in use; each with `retryAfterMs`.
   */
  enter(tenant: string, tier: string, call: GatedCall): GatePass;
  /** The adaptive limit (undefined when admission control is off). */
  readonly admission: AdaptiveConcurrency | undefined;
  readonly tenants: TenantLimiter;
}

/** The retry hint of a tenant at its concurrency quota: a request's end cannot be foreseen. */
const CONCURRENCY_RETRY_MS = 100;

const tenantName = (tenant: string): string => (tenant === "" ? "requests of no tenant (the default limits, `*`)" : `tenant "${tenant}"`);
const rateOf = (limit: TenantLimit): string => `${limit.ratePerSecond}/s`;

function tenantRefused(refusal: TenantRefusal): DomainError {
  const { tenant, limit } = refusal;
  const metadata = { tenant, setting: TENANT_LIMITS_SETTING };
  if (refusal.kind === "concurrency") {
    return new DomainError(
      ErrorReason.TENANT_CONCURRENCY_LIMITED,
      `${tenantName(tenant)} has ${refusal.inFlight} requests in flight, its concurrency quota of ${limit.concurrency}; ` +
        `retry in ${CONCURRENCY_RETRY_MS} ms, once one of them has ended (${TENANT_LIMITS_SETTING} sets the quota)`,
      { metadata: { ...metadata, limit: String(limit.concurrency), [RETRY_AFTER_MS_KEY]: String(CONCURRENCY_RETRY_MS) } },
    );
  }
  return new DomainError(
    ErrorReason.TENANT_RATE_LIMITED,
    `${tenantName(tenant)} is over its rate limit of ${rateOf(limit)} (burst ${limit.burst}); retry in ${refusal.retryAfterMs} ms ` +
      `(${TENANT_LIMITS_SETTING} sets the limit)`,
    { metadata: { ...metadata, limit: rateOf(limit), burst: String(limit.burst), [RETRY_AFTER_MS_KEY]: String(refusal.retryAfterMs) } },
  );
}

function shed(tier: string, facts: ShedFacts): DomainError {
  const which = tier === "" ? "requests of no tier (the lowest)" : `tier "${tier}"`;
  return new DomainError(
    ErrorReason.LOAD_SHED,
    `the router is overloaded: ${facts.inFlight} requests are in flight, the limit for ${which} (${facts.tierLimit} of ${facts.limit}); ` +
      `retry in ${facts.retryAfterMs} ms or at another replica`,
    {
      metadata: {
        tier,
        inFlight: String(facts.inFlight),
        limit: String(facts.tierLimit),
        [RETRY_AFTER_MS_KEY]: String(facts.retryAfterMs),
      },
    },
  );
}

/**
 * Creates the gate: the tenant's quota and rate first (a tenant over its limits is refused whatever the load), then
 * the adaptive concurrency limit, the lower tiers shed first. Refusals cost no downstream call. `now` is a
 * monotonic clock in ms.
 */
export function createRequestGate(settings: RequestGateSettings, now: () => number = () => performance.now()): RequestGate {
  const tenants = createTenantLimiter(settings.tenants);
  const admission = settings.admission === undefined ? undefined : createAdaptiveConcurrency(settings.admission, now());
  const ranks = new Map(settings.tiers.map((tier, rank) => [tier, rank]));
  const lowest = Math.max(0, settings.tiers.length - 1);

  return {
    admission,
    tenants,
    enter(tenant, tier, call) {
      const start = now();
      const slot = tenants.enter(tenant, start);
      if (!isTenantSlot(slot)) throw tenantRefused(slot);
      if (admission === undefined) return { end: () => slot.end() };
      const admitted = admission.enter(ranks.get(tier) ?? lowest, settings.tiers.length, start);
      if (!isAdmitted(admitted)) {
        slot.cancel();
        throw shed(tier, admitted);
      }
      let ended = false;
      return {
        end(outcome) {
          if (ended) return;
          ended = true;
          slot.end();
          const at = now();
          admitted.end(
            outcome === "overloaded"
              ? { kind: "overloaded" }
              : outcome === "ok" && call === "infer"
                ? { kind: "latency", ms: at - start }
                : { kind: "ignored" },
            at,
          );
        },
      };
    },
  };
}
