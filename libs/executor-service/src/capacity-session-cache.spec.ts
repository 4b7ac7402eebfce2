import { describe, expect, it } from "@jest/globals";
import { SessionCache } from "./capacity-session-cache.js";

describe("SessionCache", () => {
  const make = (capacity: number, idleMs = Number.POSITIVE_INFINITY) => {
    let now = 0;
    const evicted: string[] = [];
    const cache = new SessionCache<string>({ capacity, idleMs, onEvict: (v) => evicted.push(v), now: () => now });
    const get = (key: string) => cache.get(key, () => Promise.resolve(`session ${key}`));
    return { cache, evicted, get, advance: (ms: number) => (now += ms) };
  };

  it("loads once per key and shares the load", async () => {
    const { cache } = make(2);
    let loads = 0;
    const load = () => Promise.resolve(`load ${++loads}`);
    expect(await Promise.all([cache.get("a", load), cache.get("a", load)])).toEqual(["load 1", "load 1"]);
    expect(loads).toBe(1);
  });

  it("pushes out the least recently used entry when full", async () => {
    const { cache, evicted, get } = make(2);
    await get("a");
    await get("b");
    await get("a");
    await get("c");
    await Promise.resolve();
    expect(cache.keys()).toEqual(["a", "c"]);
    expect(evicted).toEqual(["session b"]);
  });

  it("unloads entries idle longer than idleMs, and keeps the ones used since", async () => {
    const { cache, evicted, get, advance } = make(4, 100);
    await get("a");
    await get("b");
    advance(60);
    await get("a");
    advance(60);
    expect(cache.evictIdle()).toBe(1);
    await Promise.resolve();
    expect(cache.keys()).toEqual(["a"]);
    expect(evicted).toEqual(["session b"]);
  });

  it("removes the entries a predicate matches", async () => {
    const { cache, evicted, get } = make(4);
    await get("m@1|x");
    await get("m@2|x");
    expect(cache.removeWhere((key) => key.startsWith("m@1|"))).toBe(1);
    await Promise.resolve();
    expect(cache.keys()).toEqual(["m@2|x"]);
    expect(evicted).toEqual(["session m@1|x"]);
  });

  it("forgets a failed load, so that the next get tries again", async () => {
    const { cache } = make(2);
    await expect(cache.get("a", () => Promise.reject(new Error("broken")))).rejects.toThrow("broken");
    expect(await cache.get("a", () => Promise.resolve("fixed"))).toBe("fixed");
  });
});
