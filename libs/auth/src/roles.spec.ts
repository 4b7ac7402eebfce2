import { describe, expect, it } from "@jest/globals";
import { Role } from "@modelrouter/contracts";
import { USER_ROLES, roleName, roleNames, roleOf } from "./roles.js";

describe("roles", () => {
  it.each(USER_ROLES)("%s maps to a proto Role and back", (name) => {
    const role = roleOf(name);
    expect(role).toBeDefined();
    expect(roleName(role as Role)).toBe(name);
  });

  it("have no proto value for internal, unspecified or unknown names", () => {
    expect(roleOf("internal")).toBeUndefined();
    expect(roleOf("Admin")).toBeUndefined();
    expect(roleName(Role.UNSPECIFIED)).toBeUndefined();
    expect(roleName(99 as Role)).toBeUndefined();
  });

  it("drop unknown and repeated proto roles when naming a key's roles", () => {
    expect(roleNames([Role.VIEWER, Role.UNSPECIFIED, Role.VIEWER, 42 as Role, Role.CLIENT])).toEqual(["viewer", "client"]);
  });
});
