import type { Policy } from "@modelrouter/contracts";
import { banditDigest } from "./bandit-config.js";
import { type CompiledReward, compileReward } from "./bandit-reward.js";
import { POLICY_LIMITS } from "./limits.js";
import { CompileReport } from "./policy-violation.js";

/** The parts of a bandit's key, `<policy>/<rule>#<digest>` ("default" for the default route). */
export interface BanditKeyParts {
  readonly policy: string;
  readonly rule: string;
  readonly digest: string;
}

/** Splits a bandit's key; undefined when it is not one. */
export function parseBanditKey(key: string): BanditKeyParts | undefined {
  const match = /^([^/#]+)\/([^/#]+)#([0-9a-f]{8})$/.exec(key);
  if (match === null) return undefined;
  return { policy: match[1] as string, rule: match[2] as string, digest: match[3] as string };
}

/**
 * The reward the bandit of `key` learns by, read from the policy as stored: the `bandit.reward` of the route
 * the key names (the rule of that name, else the default route for "default"), compiled. Undefined when the
 * policy is another, the route is gone, or its features or reward changed since (the digest differs), or the
 * reward does not compile: the caller then uses the default reward.
 */
export function storedBanditReward(policy: Policy, key: string): CompiledReward | undefined {
  const parts = parseBanditKey(key);
  if (parts === undefined || parts.policy !== policy.name) return undefined;
  const route = policy.rules.find((r) => r.name === parts.rule)?.route ?? (parts.rule === "default" ? policy.defaultRoute : undefined);
  const bandit = route?.bandit;
  const reward = bandit?.reward ?? "";
  if (banditDigest(bandit?.features ?? [], reward) !== parts.digest) return undefined;
  const report = new CompileReport();
  return compileReward(reward, "reward", POLICY_LIMITS, report);
}
