import { parseArgs } from "node:util";
import { timestampDate, timestampFromMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { Role, type ApiKey } from "@modelrouter/contracts";
import type { Command } from "./commands.js";
import { UsageError } from "./io.js";
import { formatTable } from "./table.js";
import { timeOption } from "./time-option.js";

const ROLE_NAMES: Readonly<Record<number, string>> = {
  [Role.ADMIN]: "admin",
  [Role.POLICY_EDITOR]: "policy-editor",
  [Role.CLIENT]: "client",
  [Role.VIEWER]: "viewer",
};
const ROLES_BY_NAME: ReadonlyMap<string, Role> = new Map(Object.entries(ROLE_NAMES).map(([role, name]) => [name, Number(role) as Role]));
const CHOICES = [...ROLES_BY_NAME.keys()].join(", ");

/**
 * The roles `--role` options name ("admin", "policy-editor", "client", "viewer"; any case, `_` for `-`).
 *
 * @throws UsageError when there is none, or one is not a role, naming `--role` and the choices.
 */
export function rolesOf(texts: readonly string[]): Role[] {
  if (texts.length === 0) throw new UsageError(`keys create: give at least one --role (${CHOICES})`);
  return texts.map((text) => {
    const role = ROLES_BY_NAME.get(text.toLowerCase().replace(/_/g, "-"));
    if (role === undefined) throw new UsageError(`--role ${text}: expected one of ${CHOICES}`);
    return role;
  });
}

/** A key's roles as the CLI names them: "client,viewer". */
export function roleNames(roles: readonly Role[]): string {
  return roles.map((role) => ROLE_NAMES[role] ?? String(role)).join(",");
}

function timeText(time: Timestamp | undefined): string {
  return time === undefined ? "" : timestampDate(time).toISOString();
}

function statusOf(key: ApiKey, nowMs: number): string {
  if (key.revokeTime !== undefined) return "revoked";
  if (key.expireTime !== undefined && timestampDate(key.expireTime).getTime() <= nowMs) return "expired";
  return "active";
}

/** The rows of `keys list`: id, tenant, roles, tier, status, created (and by whom), expiry and description; never a secret. */
export function keyTable(keys: readonly ApiKey[], nowMs: number): string[] {
  return formatTable(
    ["ID", "TENANT", "ROLES", "TIER", "STATUS", "CREATED", "CREATED BY", "EXPIRES", "DESCRIPTION"],
    keys.map((k) => [k.id, k.tenant, roleNames(k.roles), k.tier, statusOf(k, nowMs), timeText(k.createTime), k.createdBy, timeText(k.expireTime), k.description]),
  );
}

export const keysCommand: Command = {
  usage: `modelrouter keys create --tenant T --role ROLE [--role ROLE] [--tier TIER] [--description TEXT] [--expires 30d|TIME]
                                               creates a client's API key (roles: ${CHOICES}) and prints it, once;
                                               --tier: the service tier of every request made with it
modelrouter keys list [--tenant T] [--all]     the API keys (never their secrets), newest first; --all: revoked and expired too
modelrouter keys revoke ID                     revokes a key at once (its id, as keys list shows it)`,

  async run(args, connection, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        tenant: { type: "string" },
        role: { type: "string", multiple: true },
        tier: { type: "string" },
        description: { type: "string" },
        expires: { type: "string" },
        all: { type: "boolean" },
      },
    });
    const nowMs = Date.now();
    switch (action) {
      case "create": {
        if (values.tenant === undefined || values.tenant === "") throw new UsageError("keys create: give --tenant T, the tenant the key's requests belong to");
        const roles = rolesOf(values.role ?? []);
        const expires = values.expires === undefined ? undefined : timeOption("--expires", values.expires, nowMs, 1);
        if (expires !== undefined && expires <= nowMs) throw new UsageError(`--expires ${values.expires}: give a time in the future`);
        const created = await connection.registry.createApiKey({
          key: {
            tenant: values.tenant,
            roles,
            tier: values.tier ?? "",
            description: values.description ?? "",
            ...(expires === undefined ? {} : { expireTime: timestampFromMs(expires) }),
          },
        });
        const key = created.key!;
        io.out(created.secret);
        io.err(`created API key ${key.id} for tenant ${key.tenant} (${roleNames(key.roles)})${key.tier === "" ? "" : `, tier ${key.tier}`}${key.expireTime === undefined ? "" : `, expiring ${timeText(key.expireTime)}`}.`);
        io.err("warning: this is the only time the key is shown: store it now (the registry keeps only its hash).");
        return 0;
      }
      case "list": {
        const { keys } = await connection.registry.listApiKeys({ tenant: values.tenant ?? "", includeInactive: values.all === true });
        for (const line of keyTable(keys, nowMs)) io.out(line);
        return 0;
      }
      case "revoke": {
        const [id, ...extra] = positionals;
        if (id === undefined || extra.length > 0) throw new UsageError("keys revoke: give one key id (see keys list)");
        const { key } = await connection.registry.revokeApiKey({ id });
        io.out(`revoked API key ${key!.id} of tenant ${key!.tenant} at ${timeText(key!.revokeTime)}`);
        return 0;
      }
      default:
        throw new UsageError(`keys: unknown action "${action ?? ""}" (say create, list or revoke)`);
    }
  },
};
