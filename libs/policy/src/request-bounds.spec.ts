import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "@jest/globals";
import { FieldProfileSchema, InputProfileSchema, Modality, RequestContextSchema } from "@modelrouter/contracts";
import { REQUEST_BOUNDS, requestBoundsViolations } from "./index.js";

const B = REQUEST_BOUNDS;
const text = (length: number) => "x".repeat(length);
const metadata = (entries: number, keyLength = 8, valueLength = 8) =>
  Object.fromEntries(Array.from({ length: entries }, (_, i) => [`${i}`.padStart(keyLength, "k"), text(valueLength)]));

function profileAtBounds() {
  return create(InputProfileSchema, {
    modality: Modality.TABULAR,
    mimeType: text(B.profileNameLength),
    declaredMimeType: text(B.declaredMimeTypeLength),
    metadata: metadata(B.metadataEntries, B.metadataKeyLength, B.metadataValueLength),
    warnings: Array.from({ length: B.warnings }, () => text(B.warningLength)),
    tabular: {
      fields: Object.fromEntries(
        Array.from({ length: B.tabularFields }, (_, i) => [`${i}`.padStart(B.fieldNameLength, "f"), { type: "number" }]),
      ),
    },
    tensor: { shape: Array.from({ length: B.tensorRank }, () => 1) },
  });
}

function contextAtBounds() {
  return create(RequestContextSchema, {
    metadata: metadata(B.metadataEntries, B.metadataKeyLength, B.metadataValueLength),
    tenant: text(B.identityLength),
    tier: text(B.identityLength),
    userId: text(B.identityLength),
    requestId: text(B.requestIdLength),
  });
}

describe("requestBoundsViolations", () => {
  it("accepts a request at every bound", () => {
    expect(requestBoundsViolations(profileAtBounds(), contextAtBounds())).toEqual([]);
    expect(requestBoundsViolations(create(InputProfileSchema, {}), undefined)).toEqual([]);
  });

  it("names every value beyond a bound, at its path in the decide request", () => {
    const profile = profileAtBounds();
    profile.declaredMimeType = text(B.declaredMimeTypeLength + 1);
    profile.warnings = [...profile.warnings, "one more"];
    profile.metadata = { ...metadata(1), [text(B.metadataKeyLength + 1)]: "v" };
    if (profile.tabular !== undefined) {
      profile.tabular.fields = { [text(B.fieldNameLength + 1)]: create(FieldProfileSchema, { type: "number" }) };
    }
    if (profile.tensor !== undefined) profile.tensor.shape = Array.from({ length: B.tensorRank + 1 }, () => 1);
    const context = contextAtBounds();
    context.metadata = metadata(B.metadataEntries + 1);
    context.tier = text(B.identityLength + 1);
    context.requestId = text(B.requestIdLength + 1);
    const found = requestBoundsViolations(profile, context);
    expect(found.map((v) => v.field)).toEqual([
      "profile.declared_mime_type",
      `profile.metadata[${JSON.stringify(text(B.metadataKeyLength + 1))}]`,
      "profile.warnings",
      `profile.tabular.fields[${JSON.stringify(text(64))}]`,
      "profile.tensor.shape",
      "context.metadata",
      "context.tier",
      "context.request_id",
    ]);
    expect(found[0]?.description).toBe(
      `is ${B.declaredMimeTypeLength + 1} characters long; a policy input may have at most ${B.declaredMimeTypeLength}`,
    );
    expect(found[2]?.description).toBe(`has ${B.warnings + 1} entries; a policy input may have at most ${B.warnings}`);
  });

  it("bounds the analyzer's names for the text's script and the image's colour", () => {
    const long = text(B.profileNameLength + 1);
    const textProfile = create(InputProfileSchema, { text: { script: long } });
    const imageProfile = create(InputProfileSchema, { image: { color: long } });
    expect(requestBoundsViolations(textProfile, undefined).map((v) => v.field)).toEqual(["profile.text.script"]);
    expect(requestBoundsViolations(imageProfile, undefined).map((v) => v.field)).toEqual(["profile.image.color"]);
  });
});
