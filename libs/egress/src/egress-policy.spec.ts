import { describe, expect, it } from "@jest/globals";
import {
  DEFAULT_EGRESS_POLICY,
  type EgressPolicy,
  type Lookup,
  checkEndpointUrl,
  endpointUrlProblem,
  parseEgressPolicy,
  readEgressPolicy,
  resolveEndpoint,
} from "./index.js";

function policyOf(settings: Record<string, string>): EgressPolicy {
  const result = parseEgressPolicy(settings);
  if (result.policy === undefined) throw new Error(result.problems.join("; "));
  return result.policy;
}

const lookupTo =
  (...addresses: string[]): Lookup =>
  async () =>
    addresses.map((address) => ({ address }));

describe("parseEgressPolicy", () => {
  it("gives the default policy without settings: all four schemes, no lists", () => {
    expect(policyOf({})).toEqual(DEFAULT_EGRESS_POLICY);
    expect(DEFAULT_EGRESS_POLICY.schemes).toEqual(["https", "grpcs", "http", "grpc"]);
  });

  it("reads comma-separated lists of names, *.domains, addresses and CIDR blocks, ignoring spaces and case", () => {
    const policy = policyOf({
      MODELROUTER_EGRESS_SCHEMES: "HTTPS, grpcs",
      MODELROUTER_EGRESS_ALLOW: " localhost , 127.0.0.1/32,::1",
      MODELROUTER_EGRESS_DENY: "*.Internal.example.com., 10.9.0.0/16",
    });
    expect(policy.schemes).toEqual(["https", "grpcs"]);
    expect(policy.allow.map((pattern) => pattern.kind)).toEqual(["name", "cidr", "cidr"]);
    expect(policy.deny).toEqual([{ kind: "suffix", suffix: "internal.example.com" }, expect.objectContaining({ kind: "cidr" })]);
  });

  it("names the variable, the bad entries and the fix for every bad setting, all at once", () => {
    const result = parseEgressPolicy({
      MODELROUTER_EGRESS_SCHEMES: "https,ftp",
      MODELROUTER_EGRESS_ALLOW: "10.0.0.0/33,ok.example.com",
      MODELROUTER_EGRESS_DENY: "bad host,*.",
      MODELROUTER_EGRESS_ONLY: " , ",
    });
    expect(result.policy).toBeUndefined();
    expect(result.problems).toEqual([
      expect.stringMatching(/^MODELROUTER_EGRESS_SCHEMES="https,ftp": unknown "ftp"; list some of https, grpcs, http, grpc/),
      expect.stringMatching(/^MODELROUTER_EGRESS_ALLOW: "10.0.0.0\/33" is not a host name, \*.domain, IP address or CIDR block; give entries such as/),
      expect.stringMatching(/^MODELROUTER_EGRESS_DENY: "bad host", "\*." are not a host name/),
      expect.stringMatching(/^MODELROUTER_EGRESS_ONLY is set but empty: list the hosts/),
    ]);
  });

  it.each([["256.1.1.1"], ["1.2.3"], ["fe80::1::2"], ["10.0.0.0/8/8"], ["-bad.example.com"], ["*"]])("refuses the list entry %s", (entry) => {
    expect(parseEgressPolicy({ MODELROUTER_EGRESS_ALLOW: entry }).problems).toHaveLength(1);
  });

  it("refuses an empty scheme list", () => {
    expect(parseEgressPolicy({ MODELROUTER_EGRESS_SCHEMES: "," }).problems).toEqual([
      expect.stringContaining("MODELROUTER_EGRESS_SCHEMES is set but empty"),
    ]);
  });

  it("reports through a settings reader, as EnvReader is one, and falls back to the default policy", () => {
    const problems: string[] = [];
    const vars: Record<string, string> = { MODELROUTER_EGRESS_SCHEMES: "gopher", MODELROUTER_EGRESS_ALLOW: "127.0.0.1/32" };
    const policy = readEgressPolicy({ optionalString: (name) => vars[name], problem: (message) => problems.push(message) });
    expect(policy).toBe(DEFAULT_EGRESS_POLICY);
    expect(problems).toEqual([expect.stringContaining("MODELROUTER_EGRESS_SCHEMES")]);
    const good = readEgressPolicy({ optionalString: (name) => ({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1/32" })[name], problem: () => undefined });
    expect(endpointUrlProblem(good, "http://127.0.0.1:8000")).toBeUndefined();
  });
});

describe("the allow list", () => {
  it("lets a local test reach loopback by address, in every form of it, and nothing else of loopback", () => {
    const policy = policyOf({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1/32" });
    expect(endpointUrlProblem(policy, "http://127.0.0.1:8000")).toBeUndefined();
    expect(endpointUrlProblem(policy, "grpc://2130706433:8001")).toBeUndefined();
    expect(endpointUrlProblem(policy, "http://[::ffff:127.0.0.1]:8000")).toBeUndefined();
    expect(endpointUrlProblem(policy, "http://127.0.0.2:8000")).toContain("loopback");
    expect(endpointUrlProblem(policy, "http://169.254.169.254")).toContain("metadata");
  });

  it("lets an allowed name through, and its addresses when connecting", async () => {
    const policy = policyOf({ MODELROUTER_EGRESS_ALLOW: "localhost" });
    expect(await resolveEndpoint(policy, "http://localhost:8000", lookupTo("127.0.0.1", "::1"))).toMatchObject({
      addresses: ["127.0.0.1", "::1"],
    });
  });

  it("lets a name resolving to an allowed block through, when the name itself is not refused", async () => {
    const policy = policyOf({ MODELROUTER_EGRESS_ALLOW: "127.0.0.0/8" });
    expect((await resolveEndpoint(policy, "http://test.example:8000", lookupTo("127.0.0.1"))).addresses).toEqual(["127.0.0.1"]);
    expect(endpointUrlProblem(policy, "http://localhost:8000")).toContain("add localhost to MODELROUTER_EGRESS_ALLOW");
  });

  it("covers every name under a *.domain, but not the domain itself", () => {
    const policy = policyOf({ MODELROUTER_EGRESS_ALLOW: "*.localhost" });
    expect(endpointUrlProblem(policy, "http://triton.localhost:8000")).toBeUndefined();
    expect(endpointUrlProblem(policy, "http://localhost:8000")).toContain("this host");
  });
});

describe("the deny list", () => {
  it("refuses names, domains and blocks otherwise allowed, naming the setting", async () => {
    const policy = policyOf({ MODELROUTER_EGRESS_DENY: "billing.example.com,*.corp.example.com,10.0.0.0/8,fd00::/8" });
    expect(endpointUrlProblem(policy, "https://billing.example.com")).toContain("refused by MODELROUTER_EGRESS_DENY");
    expect(endpointUrlProblem(policy, "https://hr.corp.example.com")).toContain("refused by MODELROUTER_EGRESS_DENY");
    expect(endpointUrlProblem(policy, "http://10.1.2.3:8000")).toContain("refused by MODELROUTER_EGRESS_DENY");
    expect(endpointUrlProblem(policy, "http://[fd00::5]:8000")).toContain("refused by MODELROUTER_EGRESS_DENY");
    expect(endpointUrlProblem(policy, "http://[::ffff:10.0.0.1]:8000")).toContain("refused by MODELROUTER_EGRESS_DENY");
    expect((await resolveEndpoint(policy, "https://models.example.com", lookupTo("10.0.0.7"))).problem).toContain(
      "host models.example.com resolves to 10.0.0.7, which is refused by MODELROUTER_EGRESS_DENY",
    );
    expect(endpointUrlProblem(policy, "http://192.168.0.4:8000")).toBeUndefined();
  });

  it("refuses the private ranges when they are listed, which the defaults allow", () => {
    const privateRanges = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";
    for (const url of ["http://10.0.0.1", "http://172.31.255.1", "http://192.168.1.1", "http://[fd00::1]"]) {
      expect(endpointUrlProblem(DEFAULT_EGRESS_POLICY, url)).toBeUndefined();
      expect(endpointUrlProblem(policyOf({ MODELROUTER_EGRESS_DENY: privateRanges }), url)).toContain("MODELROUTER_EGRESS_DENY");
    }
  });

  it("wins over the allow list", () => {
    const policy = policyOf({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1/32", MODELROUTER_EGRESS_DENY: "127.0.0.0/8" });
    expect(endpointUrlProblem(policy, "http://127.0.0.1:8000")).toContain("refused by MODELROUTER_EGRESS_DENY");
  });
});

describe("the only list", () => {
  const policy = policyOf({ MODELROUTER_EGRESS_ONLY: "*.models.example.com,10.20.0.0/16" });

  it("accepts names and addresses it lists", async () => {
    expect(endpointUrlProblem(policy, "https://digits.models.example.com")).toBeUndefined();
    expect(endpointUrlProblem(policy, "grpc://10.20.3.4:8001")).toBeUndefined();
    expect((await resolveEndpoint(policy, "https://digits.models.example.com", lookupTo("203.0.113.9"))).addresses).toEqual(["203.0.113.9"]);
    expect((await resolveEndpoint(policy, "http://triton.svc:8000", lookupTo("10.20.0.9"))).addresses).toEqual(["10.20.0.9"]);
  });

  it("refuses every other destination, saying how to add it", async () => {
    expect(endpointUrlProblem(policy, "grpc://10.21.0.1:8001")).toBe(
      "address 10.21.0.1 is not in MODELROUTER_EGRESS_ONLY: add 10.21.0.1/32, or a block that covers it, to that list",
    );
    expect((await resolveEndpoint(policy, "http://triton.svc:8000", lookupTo("10.20.0.9", "192.168.0.1"))).problem).toContain(
      "resolves to 192.168.0.1, which is not in MODELROUTER_EGRESS_ONLY",
    );
    const namesOnly = policyOf({ MODELROUTER_EGRESS_ONLY: "triton.models.svc" });
    expect(endpointUrlProblem(namesOnly, "https://models.example.com")).toBe(
      "host models.example.com is not in MODELROUTER_EGRESS_ONLY: add it, or a *.domain that covers it, to that list",
    );
  });

  it("does not lift the default refusals", () => {
    expect(endpointUrlProblem(policyOf({ MODELROUTER_EGRESS_ONLY: "127.0.0.0/8" }), "http://127.0.0.1")).toContain("loopback");
  });
});

describe("the scheme list", () => {
  it("refuses a known scheme it does not list, naming the setting and the schemes it allows", () => {
    const policy = policyOf({ MODELROUTER_EGRESS_SCHEMES: "https,grpcs" });
    expect(endpointUrlProblem(policy, "http://models.example.com")).toBe(
      "has scheme http, refused by MODELROUTER_EGRESS_SCHEMES: use https, grpcs, or add http to that setting",
    );
    expect(checkEndpointUrl(policy, "grpcs://models.example.com:443").target?.scheme).toBe("grpcs");
  });
});
