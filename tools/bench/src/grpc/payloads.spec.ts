import { describe, expect, it } from "@jest/globals";
import { fromBinary } from "@bufbuild/protobuf";
import { InferRequestSchema, InferResponseSchema } from "@modelrouter/contracts";
import { EXPECTED_MODEL, encodeBaselineResponse, encodeBenchRequest, grpcFrame } from "./payloads.js";

describe("the benchmark's messages", () => {
  it("asks to infer a PNG scan with image_type=lowres_scan", () => {
    const request = fromBinary(InferRequestSchema, encodeBenchRequest());
    expect(request.metadata).toEqual({ image_type: "lowres_scan" });
    expect(request.payload?.kind.case).toBe("image");
    const image = request.payload?.kind.case === "image" ? request.payload.kind.value : undefined;
    expect(Buffer.from(image!.data.subarray(0, 8)).toString("hex")).toBe("89504e470d0a1a0a");
  });

  it("answers, in the baselines, with a real-shaped InferResponse of about modelrouter's size", () => {
    const bytes = encodeBaselineResponse();
    const response = fromBinary(InferResponseSchema, bytes);
    expect(response.model?.name).toBe(EXPECTED_MODEL);
    expect(response.traceId).toHaveLength(32);
    // modelrouter answered this request with 218–219 bytes (tracing on) when this was written.
    expect(bytes.length).toBeGreaterThanOrEqual(200);
    expect(bytes.length).toBeLessThanOrEqual(240);
  });
});

describe("grpcFrame", () => {
  it("prefixes an uncompressed flag and the big-endian length", () => {
    expect([...grpcFrame(Uint8Array.of(7, 8, 9))]).toEqual([0, 0, 0, 0, 3, 7, 8, 9]);
  });
});
