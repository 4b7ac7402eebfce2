import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_EGRESS_POLICY, parseEgressPolicy, type EgressPolicy } from "@modelrouter/egress";
import { AUDIENCE, ISSUER, signToken, signingKey, T0, type SigningKey } from "./auth.test-support.js";
import { egressJwksFetch } from "./jwks-url.js";
import { createJwtVerifier, JwtUnverifiableError, type JwtSettings } from "./jwt-verifier.js";

/** An issuer's JWKS endpoint on loopback: what it serves can change, and it counts the fetches. */
class JwksServer {
  fetches = 0;
  body = JSON.stringify({ keys: [] });
  status = 200;
  readonly #server: Server = createServer((_request, response) => {
    this.fetches += 1;
    if (this.status === 302) {
      response.writeHead(302, { location: "http://127.0.0.1:1/elsewhere" }).end();
      return;
    }
    response.writeHead(this.status, { "content-type": "application/json" }).end(this.body);
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  serve(...keys: readonly SigningKey[]): void {
    this.body = JSON.stringify({ keys: keys.map((key) => key.jwk) });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

const LOOPBACK: EgressPolicy = parseEgressPolicy({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1/32" }).policy as EgressPolicy;
const server = new JwksServer();
let url: string;
let first: SigningKey;
let second: SigningKey;
let clockMs = T0 * 1000;

function settings(overrides: Partial<JwtSettings> = {}): JwtSettings {
  return { issuer: ISSUER, audience: AUDIENCE, jwksUrl: url, egress: LOOPBACK, now: () => clockMs, reloadCheckMs: 1_000, jwksCooldownMs: 30_000, jwksMaxAgeMs: 600_000, ...overrides };
}

beforeAll(async () => {
  url = await server.start();
  first = await signingKey("RS256", "key-1");
  second = await signingKey("ES256", "key-2");
}, 60_000);

afterAll(() => server.stop());

describe("a JWT verifier with a JWKS URL", () => {
  it("fetches the keys once, then verifies from its cache", async () => {
    server.serve(first);
    server.fetches = 0;
    const verify = await createJwtVerifier(settings());
    for (let i = 0; i < 5; i++) await expect(verify(await signToken(first))).resolves.toMatchObject({ subject: "alice", tenant: "acme" });
    expect(server.fetches).toBe(1);
  });

  it("fetches again for an unknown kid (a rotated key), at most once per cooldown however many tokens ask", async () => {
    server.serve(first);
    server.fetches = 0;
    const verify = await createJwtVerifier(settings());
    server.serve(first, second);
    clockMs += 30_000;
    await expect(verify(await signToken(second))).resolves.toMatchObject({ subject: "alice" });
    expect(server.fetches).toBe(2);

    const unknown = await signingKey("RS256", "key-never-published");
    const forged = await signToken(unknown);
    const answers = await Promise.all(Array.from({ length: 20 }, () => verify(forged)));
    expect(answers.every((answer) => answer === undefined)).toBe(true);
    expect(server.fetches).toBe(2);
    clockMs += 30_000;
    await expect(verify(forged)).resolves.toBeUndefined();
    expect(server.fetches).toBe(3);
  });

  it("fetches again when its keys are older than their max age, and keeps them when that fetch fails", async () => {
    server.serve(first);
    server.fetches = 0;
    const verify = await createJwtVerifier(settings());
    server.status = 500;
    clockMs += 600_000;
    await expect(verify(await signToken(first))).resolves.toMatchObject({ subject: "alice" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.fetches).toBe(2);
    await expect(verify(await signToken(first))).resolves.toMatchObject({ subject: "alice" });
    server.status = 200;
  });

  it("makes tokens unverifiable (not invalid) while the JWKS cannot be fetched, and verifies once it can", async () => {
    server.serve(first);
    server.status = 503;
    const verify = await createJwtVerifier(settings());
    await expect(verify(await signToken(first))).rejects.toBeInstanceOf(JwtUnverifiableError);
    server.status = 200;
    clockMs += 30_000;
    await expect(verify(await signToken(first))).resolves.toMatchObject({ subject: "alice" });
  });

  it("makes a token of an unknown kid unverifiable when the refetch fails", async () => {
    server.serve(first);
    const verify = await createJwtVerifier(settings());
    server.status = 503;
    clockMs += 30_000;
    await expect(verify(await signToken(second))).rejects.toBeInstanceOf(JwtUnverifiableError);
    server.status = 200;
  });

  it("does not follow a redirect", async () => {
    server.status = 302;
    const fetch = egressJwksFetch({ url, egress: LOOPBACK });
    await expect(fetch()).rejects.toThrow(/the server answered 302/);
    server.status = 200;
  });

  it("is refused at creation when the egress policy refuses the URL, naming why", async () => {
    await expect(createJwtVerifier(settings({ egress: DEFAULT_EGRESS_POLICY }))).rejects.toThrow(/^the JWKS URL .*127\.0\.0\.1/);
  });

  it("refuses a host name that resolves to an address the policy refuses (checked at every fetch), and connects only where it checked", async () => {
    const port = new URL(url).port;
    const rebinding = egressJwksFetch({
      url: `http://jwks.example.com:${port}/.well-known/jwks.json`,
      egress: DEFAULT_EGRESS_POLICY,
      lookup: () => Promise.resolve([{ address: "127.0.0.1", family: 4 }]),
    });
    await expect(rebinding()).rejects.toThrow(/refused/);
    const pinned = egressJwksFetch({
      url: `http://jwks.example.com:${port}/.well-known/jwks.json`,
      egress: LOOPBACK,
      lookup: () => Promise.resolve([{ address: "127.0.0.1", family: 4 }]),
    });
    server.serve(first);
    await expect(pinned()).resolves.toContain('"kid":"key-1"');
  });
});
