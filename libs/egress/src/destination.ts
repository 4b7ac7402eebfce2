import { EGRESS_SETTINGS, type EgressPolicy } from "./egress-policy.js";
import { addressMatches, nameMatches } from "./host-pattern.js";
import type { IpAddress } from "./ip-address.js";
import { refusedNameOf, refusedRangeOf } from "./refused-ranges.js";

/** What the policy says of a host name before it is resolved. */
export interface NameVerdict {
  /** Why the name is refused; undefined: it may be resolved (its addresses are checked next). */
  readonly problem: string | undefined;
  /** The name is in the allow list: its addresses are not refused for their range. */
  readonly allowed: boolean;
  /** The name is in the only list by name: its addresses need not be in an only block. */
  readonly listedInOnly: boolean;
}

/** Checks a normalised host name (lower case, no trailing dot) against the policy. */
export function checkName(policy: EgressPolicy, name: string): NameVerdict {
  const allowed = nameMatches(policy.allow, name);
  const listedInOnly = policy.only !== undefined && nameMatches(policy.only, name);
  const verdict = (problem: string | undefined): NameVerdict => ({ problem, allowed, listedInOnly });
  if (nameMatches(policy.deny, name)) {
    return verdict(`host ${name} is refused by ${EGRESS_SETTINGS.deny}: remove it from that list if the model server really is there`);
  }
  const refused = allowed ? undefined : refusedNameOf(name);
  if (refused !== undefined) {
    return verdict(
      `host ${name} is ${refused}, refused by default: if the model server really is there, add ${name} to ${EGRESS_SETTINGS.allow}`,
    );
  }
  const onlyHasBlocks = policy.only?.some((pattern) => pattern.kind === "cidr") ?? false;
  if (policy.only !== undefined && !listedInOnly && !onlyHasBlocks) {
    return verdict(`host ${name} is not in ${EGRESS_SETTINGS.only}: add it, or a *.domain that covers it, to that list`);
  }
  return verdict(undefined);
}

/**
 * Why an address is refused, or undefined: `shown` says what it is in the sentence (`127.0.0.1`, or
 * `models.example.com resolves to 127.0.0.1, which`), `name` is the verdict on the name it was resolved from.
 */
export function addressProblem(
  policy: EgressPolicy,
  address: IpAddress,
  text: string,
  name?: NameVerdict & { readonly name: string },
): string | undefined {
  const subject = name === undefined ? `address ${text}` : `host ${name.name} resolves to ${text}, which`;
  const block = `${text}/${address.version === 4 ? 32 : 128}`;
  if (addressMatches(policy.deny, address)) {
    return `${subject} is refused by ${EGRESS_SETTINGS.deny}: remove its block from that list if the model server really is there`;
  }
  const allowed = (name?.allowed ?? false) || addressMatches(policy.allow, address);
  const refused = allowed ? undefined : refusedRangeOf(address);
  if (refused !== undefined) {
    return `${subject} is ${refused}, refused by default: if the model server really is there, add ${block} to ${EGRESS_SETTINGS.allow}`;
  }
  if (policy.only !== undefined && !(name?.listedInOnly ?? false) && !addressMatches(policy.only, address)) {
    return `${subject} is not in ${EGRESS_SETTINGS.only}: add ${block}, or a block that covers it, to that list`;
  }
  return undefined;
}
