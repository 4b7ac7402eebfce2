import { parseArgs } from "node:util";
import { DeletePolicyResponseSchema, GetPolicyResponseSchema, PolicySchema } from "@modelrouter/contracts";
import { applyPolicies } from "./apply-policies.js";
import type { Command } from "./commands.js";
import { UsageError } from "./io.js";
import { readManifests } from "./manifests.js";
import { printMessage } from "./output.js";

export const policiesCommand: Command = {
  usage: `modelrouter policies apply -f FILE|DIR... [--dry-run] [--create-only]
                                               create or replace policies (compiled first), saying which
                                               it replaced; --create-only refuses to replace one
modelrouter policies list
modelrouter policies get NAME
modelrouter policies delete NAME`,

  async run(args, connection, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        file: { type: "string", short: "f", multiple: true },
        "dry-run": { type: "boolean" },
        "create-only": { type: "boolean" },
      },
    });
    switch (action) {
      case "apply": {
        if (values.file === undefined) throw new UsageError("policies apply: give at least one -f FILE or DIR");
        const failed = await applyPolicies(readManifests(PolicySchema, values.file), connection, io, {
          dryRun: values["dry-run"] === true,
          createOnly: values["create-only"] === true,
        });
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
