import { toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { Code, codeName, isRpcError } from "@modelrouter/rpc-kit";
import { CREDENTIAL_HINT } from "./connection.js";
import type { Io } from "./io.js";

/** Prints a message as indented protobuf JSON. */
export function printMessage<Desc extends DescMessage>(io: Io, schema: Desc, message: MessageShape<Desc>): void {
  io.out(JSON.stringify(toJson(schema, message), null, 2));
}

/** Prints a failed call: the code, the message, the reason and each field violation (and how to give a credential, for UNAUTHENTICATED). */
export function printError(io: Io, error: unknown): void {
  if (isRpcError(error)) {
    io.err(`error: ${codeName(error.code)}: ${error.message}`);
    if (error.reason !== undefined) io.err(`  reason: ${error.reason}`);
    for (const violation of error.violations) io.err(`  - ${violation.field}: ${violation.description}`);
    if (error.code === Code.UNAUTHENTICATED) io.err(`  hint: ${CREDENTIAL_HINT}`);
    return;
  }
  io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
}
