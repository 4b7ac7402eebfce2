import { describe, expect, it } from "@jest/globals";
import { mimeAgrees, normalizeMime } from "./mime.js";

describe("MIME types", () => {
  it("normalise to a lower-case essence without parameters, resolving aliases", () => {
    expect(normalizeMime(" Image/JPG ; quality=high")).toBe("image/jpeg");
    expect(normalizeMime("audio/x-wav")).toBe("audio/wav");
    expect(normalizeMime("text/json")).toBe("application/json");
  });

  it("agree when equal, generic or compatible, and not otherwise", () => {
    expect(mimeAgrees("", "image/png")).toBe(true);
    expect(mimeAgrees("application/octet-stream", "audio/wav")).toBe(true);
    expect(mimeAgrees("text/markdown", "text/plain")).toBe(true);
    expect(mimeAgrees("application/geo+json", "application/json")).toBe(true);
    expect(mimeAgrees("image/png", "image/jpeg")).toBe(false);
    expect(mimeAgrees("application/json", "text/plain")).toBe(false);
  });
});
