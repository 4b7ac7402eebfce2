import { parseArgs } from "node:util";
import { DeletePolicyResponseSchema, GetPolicyResponseSchema, PolicySchema, type Policy } from "@modelrouter/contracts";
import { applyPolicies } from "./apply-policies.js";
import type { Command } from "./commands.js";
import { UsageError } from "./io.js";
import { readManifests } from "./manifests.js";
import { printMessage } from "./output.js";
import { POLICY_EVALUATION_USAGE, runPolicyEvaluation } from "./policy-evaluation.js";
import { policyHistory, rollbackPolicy } from "./policy-history.js";
import { revisionOption } from "./revision-option.js";
import { formatTable } from "./table.js";

/** The rows of `policies list`: name, priority, rules, revision and tenant (empty: shared by every tenant). */
export function policyTable(policies: readonly Policy[]): string[] {
  return formatTable(
    ["NAME", "PRIORITY", "RULES", "REVISION", "TENANT"],
    policies.map((p) => [p.name, String(p.priority), String(p.rules.length), p.revision.toString(), p.tenant]),
  );
}

export const policiesCommand: Command = {
  usage: `modelrouter policies apply -f FILE|DIR... [--dry-run] [--create-only]
                                               create or replace policies (compiled first), saying which
                                               it replaced; --create-only refuses to replace one
modelrouter policies list                      a table of the policies: name, priority, rules, revision, tenant
modelrouter policies get NAME [--revision N]   the policy, or its body as applied at revision N
modelrouter policies history NAME              its kept revisions, newest first: when, who, digest
modelrouter policies rollback NAME --to N      apply revision N's body again, as a new revision
modelrouter policies delete NAME
${POLICY_EVALUATION_USAGE}`,

  async run(args, connection, io) {
    const [action, ...rest] = args;
    if (action === "evaluate") return runPolicyEvaluation(rest, connection, io);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        file: { type: "string", short: "f", multiple: true },
        "dry-run": { type: "boolean" },
        "create-only": { type: "boolean" },
        revision: { type: "string" },
        to: { type: "string" },
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
        const policies: Policy[] = [];
        let pageToken = "";
        do {
          const page = await connection.registry.listPolicies({ pageSize: 100, pageToken });
          policies.push(...page.policies);
          pageToken = page.nextPageToken;
        } while (pageToken !== "");
        for (const line of policyTable(policies)) io.out(line);
        return 0;
      }
      case "get": {
        const name = positionals[0];
        if (name === undefined) throw new UsageError("policies get: give the policy's NAME");
        const revision = values.revision === undefined ? 0n : revisionOption("--revision", values.revision);
        printMessage(io, GetPolicyResponseSchema, await connection.registry.getPolicy({ name, revision }));
        return 0;
      }
      case "history": {
        const name = positionals[0];
        if (name === undefined) throw new UsageError("policies history: give the policy's NAME");
        for (const line of await policyHistory(name, connection)) io.out(line);
        return 0;
      }
      case "rollback": {
        const name = positionals[0];
        if (name === undefined || values.to === undefined) throw new UsageError("policies rollback: give the policy's NAME and --to REVISION");
        return (await rollbackPolicy(name, revisionOption("--to", values.to), connection, io)) === 0 ? 0 : 1;
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
