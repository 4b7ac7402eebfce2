import { beforeAll, describe, expect, it } from "@jest/globals";
import { AnalyzerService, Modality } from "@modelrouter/contracts";
import { ErrorReason } from "@modelrouter/errors";
import { Code, type RpcError, type ServiceClient, createDirectClient, isRpcError } from "@modelrouter/rpc-kit";
import { createAnalyzerService } from "./analyzer-service.js";
import { gifBytes, pngBytes } from "./testing/fixtures.test-support.js";
import { createLanguageDetector } from "./text/language-detector.js";

describe("AnalyzerService.Analyze", () => {
  let client: ServiceClient<typeof AnalyzerService>;
  beforeAll(async () => {
    const service = createAnalyzerService({ languageDetector: await createLanguageDetector() });
    client = createDirectClient(AnalyzerService, service, { defaultTimeoutMs: 1000 });
  });

  it("answers with the profile of the payload and the request metadata", async () => {
    const response = await client.analyze({
      payload: { kind: { case: "image", value: { data: pngBytes({ width: 12, height: 7 }), mimeType: "image/png" } } },
      metadata: { image_type: "medical" },
    });
    expect(response.profile).toMatchObject({
      modality: Modality.IMAGE,
      mimeType: "image/png",
      image: { format: "png", width: 12, height: 7, channels: 4 },
      metadata: { image_type: "medical" },
    });
  });

  it("fails with INVALID_ARGUMENT, reason INVALID_FIELD and every field violation", async () => {
    let caught: unknown;
    try {
      await client.analyze({
        payload: { kind: { case: "audio", value: { data: new TextEncoder().encode("not audio") } } },
        metadata: { "bad key!": "v" },
      });
    } catch (error) {
      caught = error;
    }
    expect(isRpcError(caught)).toBe(true);
    const error = caught as RpcError;
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.reason).toBe(ErrorReason.INVALID_FIELD);
    expect(error.violations).toEqual([
      { field: 'metadata["bad key!"]', description: "has a key with characters outside A-Z, a-z, 0-9, '.', '_', '/' and '-'" },
      { field: "payload.audio.data", description: "is not WAV audio (RIFF/WAVE); first bytes are 6e 6f 74 20 61 75 64 69 …" },
    ]);
    expect(error.metadata).toEqual({ fields: 'metadata["bad key!"],payload.audio.data' });
  });

  it("fails a GIF image with INVALID_ARGUMENT, reason PAYLOAD_UNSUPPORTED, naming payload.image.data", async () => {
    await expect(
      client.analyze({ payload: { kind: { case: "image", value: { data: gifBytes({ width: 3, height: 2 }) } } } }),
    ).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
      reason: ErrorReason.PAYLOAD_UNSUPPORTED,
      violations: [
        {
          field: "payload.image.data",
          description: "is a GIF image of 3×2 pixels, which models cannot decode: send a PNG or JPEG image instead",
        },
      ],
    });
  });

  it("rejects a request without a payload", async () => {
    await expect(client.analyze({})).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
      violations: [{ field: "payload", description: expect.stringContaining("is required") }],
    });
  });
});
