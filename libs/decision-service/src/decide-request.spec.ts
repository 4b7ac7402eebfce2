import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "@jest/globals";
import { DecideRequestSchema, InputProfileSchema, Modality } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { REQUEST_BOUNDS, createModelCatalogue } from "@modelrouter/policy";
import { createDecisionService } from "./index.js";

const service = createDecisionService({
  catalogue: { snapshot: () => ({ revision: 1n, catalogue: createModelCatalogue([]), policies: [] }) },
});

async function refusal(request: Parameters<typeof service.decide>[0]): Promise<DomainError> {
  const error = await service.decide(request, {} as Parameters<typeof service.decide>[1]).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe("the decide request", () => {
  it("is refused, naming the fields, when its profile or context exceeds the bounds policies were budgeted for", async () => {
    const profile = create(InputProfileSchema, {
      modality: Modality.IMAGE,
      declaredMimeType: "x".repeat(REQUEST_BOUNDS.declaredMimeTypeLength + 1),
      warnings: Array.from({ length: REQUEST_BOUNDS.warnings + 1 }, () => "w"),
    });
    const error = await refusal(
      create(DecideRequestSchema, { profile, context: { tier: "t".repeat(REQUEST_BOUNDS.identityLength + 1) } }),
    );
    expect(error.reason).toBe(ErrorReason.INVALID_FIELD);
    expect(error.violations.map((v) => v.field)).toEqual(["profile.declared_mime_type", "profile.warnings", "context.tier"]);
  });

  it("is evaluated when it is within the bounds", async () => {
    const profile = create(InputProfileSchema, { modality: Modality.IMAGE, declaredMimeType: "image/png" });
    const error = await refusal(create(DecideRequestSchema, { profile }));
    expect(error.reason).toBe(ErrorReason.NO_ROUTE);
  });
});
