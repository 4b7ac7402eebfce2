import { describe, expect, it } from "@jest/globals";
import { DEFAULT_EGRESS_POLICY, type Lookup, checkEndpointUrl, resolveEndpoint } from "./index.js";
import { GOOD_URLS, HOSTILE_URLS } from "./hostile-urls.test-support.js";

/** A lookup that answers from a table and fails the test for any other name. */
function fakeLookup(table: Readonly<Record<string, readonly string[]>>): Lookup {
  return async (hostname) => {
    const addresses = table[hostname];
    if (addresses === undefined) throw new Error(`unexpected lookup of ${hostname}`);
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

const hostOf = (url: string): string => new URL(url).hostname;

describe("the hostile-URL corpus under the default egress policy", () => {
  it("holds at least 100 URLs", () => {
    expect(HOSTILE_URLS.length).toBeGreaterThanOrEqual(100);
  });

  it.each(HOSTILE_URLS.map((entry) => [JSON.stringify(entry.url).slice(0, 80), entry] as const))(
    "refuses %s, saying why",
    async (_, entry) => {
      const lookup = fakeLookup(entry.resolvesTo === undefined ? {} : { [hostOf(entry.url)]: entry.resolvesTo });
      const resolved = await resolveEndpoint(DEFAULT_EGRESS_POLICY, entry.url, lookup);
      expect(resolved.addresses).toBeUndefined();
      expect(resolved.problem).toContain(entry.refused);
      if (entry.resolvesTo === undefined) expect(checkEndpointUrl(DEFAULT_EGRESS_POLICY, entry.url).problem).toContain(entry.refused);
    },
  );

  it("says, for every refused address or name, which setting would allow it", async () => {
    const refusedByRange = HOSTILE_URLS.filter((entry) => /loopback|metadata|link-local|localhost|unspecified/.test(entry.refused));
    for (const entry of refusedByRange) {
      const lookup = fakeLookup(entry.resolvesTo === undefined ? {} : { [hostOf(entry.url)]: entry.resolvesTo });
      expect((await resolveEndpoint(DEFAULT_EGRESS_POLICY, entry.url, lookup)).problem).toContain("MODELROUTER_EGRESS_ALLOW");
    }
  });
});

describe("good endpoint URLs under the default egress policy", () => {
  it.each(GOOD_URLS.map((entry) => [entry.url, entry.normal] as const))("accepts %s as %s", (url, normal) => {
    const checked = checkEndpointUrl(DEFAULT_EGRESS_POLICY, url);
    expect(checked.problem).toBeUndefined();
    expect(checked.target?.url).toBe(normal);
  });

  it("accepts names that resolve to public and private addresses, and returns those addresses to connect to", async () => {
    const lookup = fakeLookup({ "triton.models.svc": ["10.1.2.3", "fd00:1::3"], "models.example.com": ["203.0.113.5"] });
    expect(await resolveEndpoint(DEFAULT_EGRESS_POLICY, "grpc://triton.models.svc:8001", lookup)).toMatchObject({
      addresses: ["10.1.2.3", "fd00:1::3"],
      target: { host: "triton.models.svc", port: 8001, scheme: "grpc" },
    });
    expect((await resolveEndpoint(DEFAULT_EGRESS_POLICY, "https://models.example.com/v2", lookup)).addresses).toEqual(["203.0.113.5"]);
  });
});
