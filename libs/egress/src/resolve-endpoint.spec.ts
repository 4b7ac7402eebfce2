import { describe, expect, it } from "@jest/globals";
import { DEFAULT_EGRESS_POLICY, type Lookup, redirectAllowed, resolveEndpoint } from "./index.js";

describe("resolveEndpoint", () => {
  it("resolves a name once and returns every address, without repeats, to pin the connection to", async () => {
    const asked: string[] = [];
    const lookup: Lookup = async (name) => {
      asked.push(name);
      return [{ address: "10.0.0.1", family: 4 }, { address: "10.0.0.2", family: 4 }, { address: "10.0.0.1", family: 4 }];
    };
    const resolved = await resolveEndpoint(DEFAULT_EGRESS_POLICY, "HTTP://Triton.Models.SVC.:8000/v2", lookup);
    expect(resolved).toMatchObject({ addresses: ["10.0.0.1", "10.0.0.2"], target: { host: "triton.models.svc", url: "http://triton.models.svc:8000/v2" } });
    expect(asked).toEqual(["triton.models.svc"]);
  });

  it("does not look up a literal address", async () => {
    const lookup: Lookup = async () => {
      throw new Error("no lookup expected");
    };
    expect((await resolveEndpoint(DEFAULT_EGRESS_POLICY, "grpc://[fd00::7]:8001", lookup)).addresses).toEqual(["fd00::7"]);
  });

  it("does not look up a refused name", async () => {
    const lookup: Lookup = async () => {
      throw new Error("no lookup expected");
    };
    expect((await resolveEndpoint(DEFAULT_EGRESS_POLICY, "http://metadata.google.internal", lookup)).problem).toContain("metadata");
  });

  it("lets a failing lookup reject as it does: a DNS failure is retried, not a refusal", async () => {
    const lookup: Lookup = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    await expect(resolveEndpoint(DEFAULT_EGRESS_POLICY, "https://gone.example.com", lookup)).rejects.toThrow("ENOTFOUND");
  });
});

describe("redirectAllowed", () => {
  it.each([
    ["https://models.example.com/v2/models/m/infer", "/v2/models/m/versions/2/infer"],
    ["https://models.example.com/v2", "https://models.example.com:443/v2/health/ready"],
    ["https://models.example.com/v2", "HTTPS://MODELS.EXAMPLE.COM./other"],
    ["http://10.0.0.5:8000/a", "b"],
  ])("follows %s to %s: same scheme, host and port", (from, to) => {
    expect(redirectAllowed(from, to)).toBe(true);
  });

  it.each([
    ["https://models.example.com/v2", "https://other.example.com/v2"],
    ["https://models.example.com/v2", "http://models.example.com/v2"],
    ["https://models.example.com/v2", "https://models.example.com:8443/v2"],
    ["https://models.example.com/v2", "//169.254.169.254/latest"],
    ["https://models.example.com/v2", "http://169.254.169.254/latest/meta-data"],
    ["https://models.example.com/v2", "https://models.example.com@127.0.0.1/"],
    ["https://models.example.com/v2", "https://models.example.com\\@127.0.0.1/"],
    ["https://models.example.com/v2", "file:///etc/passwd"],
    ["not a url", "/v2"],
  ])("does not follow %s to %s", (from, to) => {
    expect(redirectAllowed(from, to)).toBe(false);
  });
});
