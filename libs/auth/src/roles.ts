import { Role } from "@modelrouter/contracts";

/** The roles a user (an API key or a JWT) can hold. */
export const USER_ROLES = ["admin", "policy-editor", "client", "viewer"] as const;

/** A role a user can hold: `admin` (models, keys, audit, and all a user may), `policy-editor`, `client`, `viewer`. */
export type UserRole = (typeof USER_ROLES)[number];

/** The role of another modelrouter service, proven by the internal token; never held by a user. */
export const INTERNAL_ROLE = "internal";

/** Every role name an identity can carry. */
export type RoleName = UserRole | typeof INTERNAL_ROLE;

const byRole: ReadonlyMap<Role, UserRole> = new Map([
  [Role.ADMIN, "admin"],
  [Role.POLICY_EDITOR, "policy-editor"],
  [Role.CLIENT, "client"],
  [Role.VIEWER, "viewer"],
]);
const byName: ReadonlyMap<string, Role> = new Map([...byRole].map(([role, name]) => [name, role]));

/** The name of a proto `Role`; undefined for `ROLE_UNSPECIFIED` and values this build does not know. */
export function roleName(role: Role): UserRole | undefined {
  return byRole.get(role);
}

/** The proto `Role` of a user role name; undefined for anything else (including "internal"). */
export function roleOf(name: string): Role | undefined {
  return byName.get(name);
}

/** True for one of {@link USER_ROLES}. */
export function isUserRole(name: string): name is UserRole {
  return byName.has(name);
}

/** The names of proto roles, without duplicates, unknown and unspecified values dropped. */
export function roleNames(roles: readonly Role[]): UserRole[] {
  return [...new Set(roles.map(roleName).filter((name): name is UserRole => name !== undefined))];
}
