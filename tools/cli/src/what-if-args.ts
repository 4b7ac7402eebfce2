import { statSync } from "node:fs";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Policy, type PolicyOverrideSchema, PolicySchema } from "@modelrouter/contracts";
import { UsageError } from "./io.js";
import { readManifests } from "./manifests.js";
import { revisionOption } from "./revision-option.js";

/** The options of `explain` that choose a what-if policy. */
export const whatIfOptions = {
  "policy-file": { type: "string" },
  revision: { type: "string" },
} as const;

/** The parsed what-if options, with `--policy`, which names a revision's policy. */
export interface WhatIfValues {
  "policy-file"?: string | undefined;
  revision?: string | undefined;
  policy?: string | undefined;
}

/**
 * The `what_if` of an Explain from its options, undefined without `--policy-file` or `--revision`.
 * `--policy-file FILE` explains the one policy in FILE, unsaved (YAML or JSON in the protobuf JSON mapping, read
 * as `policies apply -f` reads it); `--revision N` explains revision N of the policy that `--policy` names, or
 * else of the policy the `--policy-file` names. Mistakes are usage errors naming the option and the fix.
 */
export function whatIfOf(values: WhatIfValues): MessageInitShape<typeof PolicyOverrideSchema> | undefined {
  const file = values["policy-file"];
  const draft = file === undefined ? undefined : onePolicy(file);
  if (values.revision !== undefined) {
    const revision = revisionOption("--revision", values.revision);
    const name = values.policy ?? draft?.name ?? "";
    if (name === "") {
      throw new UsageError(`--revision ${values.revision}: name its policy with --policy NAME, for example --policy digits --revision ${values.revision}`);
    }
    return { kind: { case: "revision", value: { name, revision } } };
  }
  return draft === undefined ? undefined : { kind: { case: "policy", value: draft } };
}

function onePolicy(file: string): Policy {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) throw new UsageError(`--policy-file ${file}: no such file; give the YAML or JSON file of the policy to explain`);
  let policies: Policy[];
  try {
    policies = readManifests(PolicySchema, [file]);
  } catch (error) {
    throw error instanceof UsageError ? new UsageError(`--policy-file ${error.message}`) : error;
  }
  if (policies.length !== 1) {
    throw new UsageError(`--policy-file ${file}: holds ${policies.length} policies; give a file with exactly the one to explain`);
  }
  return policies[0]!;
}
