import { describe, expect, it } from "@jest/globals";
import { Code } from "@modelrouter/rpc-kit";
import { EndpointPool } from "./endpoint-pool.js";
import { oipError } from "./oip-errors.js";
import type { OipTransport } from "./oip-types.js";

/** A transport that answers readiness as told and records the calls run on it. */
function fakeTransport(url: string, ready: boolean | "unreachable" = true): OipTransport & { ready: boolean | "unreachable" } {
  return {
    url,
    ready,
    async modelReady() {
      if (this.ready === "unreachable") throw oipError(Code.UNAVAILABLE, url, "connection refused", { retry: true });
      return this.ready;
    },
    modelMetadata: () => Promise.reject(new Error("not used")),
    infer: () => Promise.reject(new Error("not used")),
    close: () => undefined,
  };
}

const call = () => ({ deadline: Date.now() + 5_000, signal: new AbortController().signal });
const served = async (pool: EndpointPool, times: number): Promise<string[]> => {
  const urls: string[] = [];
  for (let i = 0; i < times; i++) urls.push(await pool.run(call(), async (t) => t.url));
  return urls;
};

describe("the endpoints of a remote model", () => {
  it("skips an endpoint whose model is not ready once the readiness check saw it", async () => {
    const a = fakeTransport("http://a", false);
    const b = fakeTransport("http://b", "unreachable");
    const c = fakeTransport("http://c");
    const changes: string[] = [];
    const pool = new EndpointPool([a, b, c], { model: "m", version: "", healthIntervalMs: 0, onReadiness: (url, ready) => changes.push(`${url} ${ready}`) });
    await pool.checkReadiness();
    expect(new Set(await served(pool, 20))).toEqual(new Set(["http://c"]));
    expect(changes).toEqual(["http://a false", "http://b false"]);
    pool.close();
  });

  it("tries the endpoints anyway when none is ready", async () => {
    const pool = new EndpointPool([fakeTransport("http://a", false), fakeTransport("http://b", false)], { model: "m", version: "", healthIntervalMs: 0 });
    await pool.checkReadiness();
    expect(new Set(await served(pool, 40))).toEqual(new Set(["http://a", "http://b"]));
    pool.close();
  });

  it("sends a call to the less loaded of the two endpoints drawn", async () => {
    const pool = new EndpointPool([fakeTransport("http://a"), fakeTransport("http://b")], { model: "m", version: "", healthIntervalMs: 0, random: () => 0 });
    let release: () => void = () => undefined;
    const busy = pool.run(call(), (t) => new Promise<string>((resolve) => (release = () => resolve(t.url))));
    expect(await served(pool, 3)).toEqual(["http://b", "http://b", "http://b"]);
    release();
    expect(await busy).toBe("http://a");
    pool.close();
  });

  it("does not retry a failure another endpoint may not take, and tries each endpoint once for one it may", async () => {
    const pool = new EndpointPool([fakeTransport("http://a"), fakeTransport("http://b")], { model: "m", version: "", healthIntervalMs: 0 });
    const tried: string[] = [];
    await expect(
      pool.run(call(), (t) => {
        tried.push(t.url);
        return Promise.reject(oipError(Code.INVALID_ARGUMENT, t.url, "bad tensor"));
      }),
    ).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
    expect(tried).toHaveLength(1);
    tried.length = 0;
    await expect(
      pool.run(call(), (t) => {
        tried.push(t.url);
        return Promise.reject(oipError(Code.UNAVAILABLE, t.url, "loading", { retry: true }));
      }),
    ).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect(tried.sort()).toEqual(["http://a", "http://b"]);
    pool.close();
  });
});
