import { describe, expect, it } from "@jest/globals";
import { DEFAULT_TENANT_LIMIT, parseTenantLimits } from "./tenant-limits-format.js";

describe("the tenant limits' format (MODELROUTER_TENANT_LIMITS)", () => {
  it("is empty by default: every tenant gets the default limits", () => {
    expect(parseTenantLimits("")).toEqual({ ok: true, defaults: DEFAULT_TENANT_LIMIT, overrides: new Map() });
  });

  it("reads a default (*) and per-tenant overrides, rates per second or per minute", () => {
    expect(parseTenantLimits("*=50/s,burst=100,concurrency=64; acme=500/s,burst=1000,concurrency=256;slow=600/min")).toEqual({
      ok: true,
      defaults: { ratePerSecond: 50, burst: 100, concurrency: 64 },
      overrides: new Map([
        ["acme", { ratePerSecond: 500, burst: 1000, concurrency: 256 }],
        // A burst defaults to one second of the rate, the concurrency to the default's.
        ["slow", { ratePerSecond: 10, burst: 10, concurrency: 64 }],
      ]),
    });
  });

  it("names each bad entry and the fix", () => {
    const parsed = parseTenantLimits("*=fast;acme=10/s,burst=0;acme=5/s;=1/s;bob=1/s,queue=3");
    expect(parsed).toEqual({
      ok: false,
      problems: [
        'entry "*=fast": the rate "fast" must be a positive number of requests per second or minute, e.g. 50/s or 600/min',
        'entry "acme=10/s,burst=0": "burst=0" is not burst=N or concurrency=N with N a whole number of at least 1',
        'entry "acme=5/s": tenant "acme" is given twice; keep one entry',
        'entry "=1/s": start it with a tenant name (letters, digits, ".", "_", "-") or "*" and "=RATE", e.g. "acme=500/s"',
        'entry "bob=1/s,queue=3": "queue=3" is not burst=N or concurrency=N with N a whole number of at least 1',
      ],
    });
  });
});
