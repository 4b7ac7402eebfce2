import { parseArgs } from "node:util";
import { DeletePolicyResponseSchema, GetPolicyResponseSchema, PolicySchema, type Policy } from "@modelrouter/contracts";
import type { Command } from "./commands.js";
import type { Connection } from "./connection.js";
import { UsageError, type Io } from "./io.js";
import { readManifests } from "./manifests.js";
import { printError, printMessage } from "./output.js";

/** Applies each policy (create or replace), printing warnings; returns how many failed. */
export async function applyPolicies(policies: readonly Policy[], connection: Connection, io: Io, validateOnly = false): Promise<number> {
  let failed = 0;
  for (const policy of policies) {
    try {
      const response = await connection.registry.applyPolicy({ policy, validateOnly });
      const verb = validateOnly ? "is valid:" : response.created ? "created" : "updated";
      io.err(`policy ${policy.name} ${verb} (revision ${response.policy?.revision ?? 0n})`);
      for (const warning of response.warnings) io.err(`  warning: ${warning}`);
    } catch (error) {
      failed += 1;
      io.err(`policy ${policy.name}:`);
      printError(io, error);
    }
  }
  return failed;
}

export const policiesCommand: Command = {
  usage: `modelrouter policies apply -f FILE|DIR... [--dry-run]   create or replace policies (compiled first)
modelrouter policies list
modelrouter policies get NAME
modelrouter policies delete NAME`,

  async run(args, connection, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { file: { type: "string", short: "f", multiple: true }, "dry-run": { type: "boolean" } },
    });
    switch (action) {
      case "apply": {
        if (values.file === undefined) throw new UsageError("policies apply: give at least one -f FILE or DIR");
        const failed = await applyPolicies(readManifests(PolicySchema, values.file), connection, io, values["dry-run"] === true);
        return failed === 0 ? 0 : 1;
      }
      case "list": {
        let pageToken = "";
        do {
          const page = await connection.registry.listPolicies({ pageSize: 100, pageToken });
          for (const p of page.policies) io.out(`${p.name}\tpriority=${p.priority}\trules=${p.rules.length}\trevision=${p.revision}`);
          pageToken = page.nextPageToken;
        } while (pageToken !== "");
        return 0;
      }
      case "get": {
        const name = positionals[0];
        if (name === undefined) throw new UsageError("policies get: give the policy's NAME");
        printMessage(io, GetPolicyResponseSchema, await connection.registry.getPolicy({ name }));
        return 0;
      }
      case "delete": {
        const name = positionals[0];
        if (name === undefined) throw new UsageError("policies delete: give the policy's NAME");
        printMessage(io, DeletePolicyResponseSchema, await connection.registry.deletePolicy({ name }));
        return 0;
      }
      default:
        throw new UsageError(`policies: unknown action "${action ?? ""}"`);
    }
  },
};
