import { describe, expect, it } from "@jest/globals";
import { Code } from "./code.js";
import { HEADERS_REJECTED_HEADER, headerSizeRejection, limitHeaderSize } from "./header-size.js";

describe("the request headers' size limit of a gRPC server", () => {
  it("leaves headers within the limit as they are (and removes a client's own marker)", () => {
    const headers = { ":path": "/a.B/C", "content-type": "application/grpc", "x-small": "1", [HEADERS_REJECTED_HEADER]: "1 1" };
    limitHeaderSize(headers, 1024);
    expect(headers).toEqual({ ":path": "/a.B/C", "content-type": "application/grpc", "x-small": "1" });
  });

  it("drops every header but the protocol's own when they are too large, and refuses the call with RESOURCE_EXHAUSTED", () => {
    const headers: Record<string, string> = { ":path": "/a.B/C", "content-type": "application/grpc", "grpc-timeout": "1S", authorization: "Bearer x", "x-big": "b".repeat(2000) };
    limitHeaderSize(headers, 1024);
    expect(Object.keys(headers).sort()).toEqual([":path", "content-type", "grpc-timeout", HEADERS_REJECTED_HEADER]);
    const rejection = headerSizeRejection(headers[HEADERS_REJECTED_HEADER]);
    expect(rejection?.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(rejection?.message).toMatch(/^the request's headers \(metadata\) are \d+ bytes, more than the limit of 1024: send less metadata/);
    expect(headerSizeRejection(undefined)).toBeUndefined();
  });
});
