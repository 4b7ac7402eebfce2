import type { ListBanditArmsRequest } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";

/** The longest bandit key accepted: a policy name, a rule name, "/", "#" and 8 hex digits fit well within. */
export const MAX_BANDIT_KEY_LENGTH = 512;

/**
 * The bandit a ListBanditArms request asks for ("" for every bandit).
 *
 * @throws DomainError INVALID_FIELD when `bandit` is too long to be a bandit's key.
 */
export function parseListBanditArms(request: ListBanditArmsRequest): string {
  const v = new Violations();
  if (request.bandit.length > MAX_BANDIT_KEY_LENGTH) {
    v.add(
      "bandit",
      `has ${request.bandit.length} characters; a bandit key (RoutingDecision.bandit, "<policy>/<rule>#<digest>") ` +
        `has at most ${MAX_BANDIT_KEY_LENGTH}: copy it from a decision, or leave it empty for every bandit`,
    );
  }
  v.throwIfAny("invalid ListBanditArms request");
  return request.bandit;
}
