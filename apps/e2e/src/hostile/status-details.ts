import { fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { BadRequestSchema, StatusSchema, type Status } from "@modelrouter/contracts";

/** A field violation of a `google.rpc.BadRequest`. */
export interface Violation {
  readonly field: string;
  readonly description: string;
}

/** The field violations of a `google.rpc.Status`'s BadRequest details; `undefined` when it carries none. */
export function violationsOf(status: Status): Violation[] | undefined {
  let found: Violation[] | undefined;
  for (const detail of status.details) {
    const badRequest = anyUnpack(detail, BadRequestSchema);
    if (badRequest !== undefined) {
      found = [...(found ?? []), ...badRequest.fieldViolations.map((v) => ({ field: v.field, description: v.description }))];
    }
  }
  return found;
}

/**
 * The field violations carried by a `grpc-status-details-bin` trailer (base64 of a binary `google.rpc.Status`);
 * `undefined` when there is no trailer, it does not decode, or it has no BadRequest.
 */
export function violationsOfTrailer(base64: string | undefined): Violation[] | undefined {
  if (base64 === undefined || base64 === "") return undefined;
  try {
    return violationsOf(fromBinary(StatusSchema, Buffer.from(base64, "base64")));
  } catch {
    return undefined;
  }
}

/** The violations of a BadRequest encoded as bytes (a Connect error detail's `value`). */
export function violationsOfBadRequest(bytes: Uint8Array): Violation[] {
  return fromBinary(BadRequestSchema, bytes).fieldViolations.map((v) => ({ field: v.field, description: v.description }));
}
