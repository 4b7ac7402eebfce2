/** Helpers for specs that call the analyzer: payload builders and a way to read the violations it reports. */
import { create, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { type Payload, PayloadSchema, type Tensor, TensorSchema } from "@modelrouter/contracts";
import { ErrorReason, type FieldViolation, isDomainError } from "@modelrouter/errors";
import type { MessageInitShape } from "@bufbuild/protobuf";

/** A payload of one media kind. */
export function mediaPayload(kind: "image" | "audio" | "binary", data: Uint8Array, mimeType = ""): Payload {
  return create(PayloadSchema, { kind: { case: kind, value: { data, mimeType } } });
}

/** A text payload. */
export function textPayload(text: string): Payload {
  return create(PayloadSchema, { kind: { case: "text", value: text } });
}

/** A `google.protobuf.Value` payload from JSON. */
export function jsonPayload(json: JsonValue): Payload {
  return create(PayloadSchema, { kind: { case: "json", value: fromJson(ValueSchema, json) } });
}

/** A tensor payload. */
export function tensorPayload(init: MessageInitShape<typeof TensorSchema>): Payload {
  const tensor: Tensor = create(TensorSchema, init);
  return create(PayloadSchema, { kind: { case: "tensor", value: tensor } });
}

/** The field violations of the INVALID_FIELD error that `run` throws; fails when it throws anything else or nothing. */
export function violationsOf(run: () => unknown): FieldViolation[] {
  const { reason, violations } = refusalOf(run);
  if (reason !== ErrorReason.INVALID_FIELD) throw new Error(`expected an INVALID_FIELD error, got ${reason}`);
  return violations;
}

/** The reason and field violations of the DomainError that `run` throws; fails when it throws anything else or nothing. */
export function refusalOf(run: () => unknown): { reason: ErrorReason; violations: FieldViolation[] } {
  try {
    run();
  } catch (error) {
    if (isDomainError(error)) return { reason: error.reason, violations: [...error.violations] };
    throw error;
  }
  throw new Error("expected a DomainError, but nothing was thrown");
}
