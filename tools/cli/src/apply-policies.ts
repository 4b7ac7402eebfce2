import type { Policy } from "@modelrouter/contracts";
import { Code, RpcError, isRpcError } from "@modelrouter/rpc-kit";
import type { Connection } from "./connection.js";
import type { Io } from "./io.js";
import { printError } from "./output.js";

/** How `policies apply` treats a policy whose name is taken. */
export interface ApplyOptions {
  /** Only compile and check, store nothing (`--dry-run`). */
  readonly dryRun?: boolean;
  /** Refuse to replace an existing policy (`--create-only`): ALREADY_EXISTS naming it. */
  readonly createOnly?: boolean;
}

/** How often a replacement is retried when another writer changes the policy between the read and the write. */
const MAX_ATTEMPTS = 3;

/**
 * Applies each policy and says what happened to it: "created policy X (revision M)", or "replaced policy X
 * (revision N → M)" when a policy of that name existed, so that replacing one is never silent. The revision
 * replaced is read first and passed as `expected_revision`, so the report is exact even with other writers.
 * With `createOnly`, `expected_revision` 0 makes the registry refuse an existing name, reported as
 * ALREADY_EXISTS naming the policy. Warnings are printed after each. Returns how many failed.
 */
export async function applyPolicies(policies: readonly Policy[], connection: Connection, io: Io, options: ApplyOptions = {}): Promise<number> {
  let failed = 0;
  for (const policy of policies) {
    try {
      await applyOne(policy, connection, io, options);
    } catch (error) {
      failed += 1;
      io.err(`policy ${policy.name}:`);
      printError(io, error);
    }
  }
  return failed;
}

async function applyOne(policy: Policy, connection: Connection, io: Io, options: ApplyOptions): Promise<void> {
  const validateOnly = options.dryRun === true;
  for (let attempt = 1; ; attempt++) {
    const previous = options.createOnly === true ? 0n : await revisionOf(policy.name, connection);
    try {
      const response = await connection.registry.applyPolicy(
        { policy, validateOnly, expectedRevision: previous },
        { headers: connection.callerHeaders },
      );
      const revision = response.policy?.revision ?? 0n;
      if (validateOnly) io.err(`policy ${policy.name} is valid: ${previous === 0n ? "would create it" : `would replace revision ${previous}`}`);
      else if (previous === 0n) io.err(`created policy ${policy.name} (revision ${revision})`);
      else io.err(`replaced policy ${policy.name} (revision ${previous} → ${revision})`);
      for (const warning of response.warnings) io.err(`  warning: ${warning}`);
      return;
    } catch (error) {
      if (!isRevisionConflict(error)) throw error;
      if (options.createOnly === true) throw alreadyExists(policy.name, error);
      if (attempt === MAX_ATTEMPTS) throw error;
    }
  }
}

/** The revision of the stored policy of that name, 0 when there is none. */
async function revisionOf(name: string, connection: Connection): Promise<bigint> {
  try {
    return (await connection.registry.getPolicy({ name })).policy?.revision ?? 0n;
  } catch (error) {
    if (isRpcError(error) && error.code === Code.NOT_FOUND) return 0n;
    throw error;
  }
}

function isRevisionConflict(error: unknown): error is RpcError {
  return isRpcError(error) && error.code === Code.ABORTED && error.reason === "REVISION_CONFLICT";
}

function alreadyExists(name: string, conflict: RpcError): RpcError {
  const revision = conflict.metadata["actualRevision"];
  return new RpcError({
    code: Code.ALREADY_EXISTS,
    message:
      `policy "${name}" already exists${revision === undefined ? "" : ` (revision ${revision})`}: give yours another name, ` +
      `or apply without --create-only to replace it`,
    metadata: { policy: name, ...(revision === undefined ? {} : { revision }) },
    cause: conflict,
  });
}
