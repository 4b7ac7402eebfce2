import { describe, expect, it } from "@jest/globals";
import { ERROR_DOMAIN, ErrorReason } from "@modelrouter/errors";
import { Code, RpcError } from "@modelrouter/rpc-kit";
import { createInstanceBreaker, DEFAULT_BREAKER_SETTINGS, type BreakerSettings, type InstanceBreaker } from "./instance-breaker.js";

/** No answer came: what a killed or unreachable executor gives. */
const refused = new RpcError({ code: Code.UNAVAILABLE, message: "connect ECONNREFUSED 10.0.0.1:50055" });
/** No answer before the deadline: what a hung executor gives. */
const silent = new RpcError({ code: Code.DEADLINE_EXCEEDED, message: "deadline exceeded" });
/** The executor answered: it is saturated. */
const saturated = new RpcError({ code: Code.RESOURCE_EXHAUSTED, message: "the executor is saturated", domain: ERROR_DOMAIN, reason: ErrorReason.OVERLOADED });
/** The executor answered: this model version cannot be loaded there. */
const unloadable = new RpcError({ code: Code.UNAVAILABLE, message: "model gone@1 cannot be loaded", domain: ERROR_DOMAIN, reason: ErrorReason.MODEL_UNAVAILABLE });

const settings: BreakerSettings = { ...DEFAULT_BREAKER_SETTINGS, consecutiveFailures: 3, baseEjectionMs: 1000, maxEjectionMs: 5000, forgetAfterMs: 60_000 };

/** Runs one attempt on `instance` at `at` that ends at once with `error` (undefined: answered). */
const attempt = (breaker: InstanceBreaker, instance: string, at: number, error?: RpcError) => breaker.begin(instance, at).end(error, at);
const failTimes = (breaker: InstanceBreaker, instance: string, times: number, at: number, error = refused) => {
  for (let i = 0; i < times; i += 1) attempt(breaker, instance, at, error);
};
const breakerOf = (members: readonly string[], overrides: Partial<BreakerSettings> = {}) => createInstanceBreaker(() => members, { ...settings, ...overrides });

describe("an executor instance's circuit breaker", () => {
  it("keeps an instance HEALTHY while it answers; an answer ends a run of failures", () => {
    const breaker = breakerOf(["a", "b"]);
    failTimes(breaker, "a", 2, 0);
    attempt(breaker, "a", 0);
    failTimes(breaker, "a", 2, 0);
    expect(breaker.condition("a", 0)).toEqual({ state: "healthy", reason: "" });
    expect(breaker.admits("a", 0)).toBe(true);
  });

  it("ejects an instance after N attempts in a row got no answer, saying so, and admits no request to it", () => {
    const breaker = breakerOf(["a", "b"]);
    failTimes(breaker, "a", 2, 0, silent);
    attempt(breaker, "a", 0, refused);
    expect(breaker.condition("a", 10)).toEqual({ state: "ejected", reason: "ejected for 1 s (1st ejection): 3 attempts in a row got no answer (last: UNAVAILABLE)" });
    expect(breaker.admits("a", 999)).toBe(false);
    expect(breaker.admits("b", 999)).toBe(true);
  });

  it("ejects an instance whose error rate passes the threshold over the window, once it has the minimum of attempts", () => {
    const breaker = breakerOf(["a", "b"], { consecutiveFailures: 100, errorRate: 0.5, errorRateWindowMs: 10_000, errorRateMinAttempts: 10 });
    for (let i = 0; i < 4; i += 1) {
      attempt(breaker, "a", i * 100, refused);
      attempt(breaker, "a", i * 100);
    }
    expect(breaker.condition("a", 800).state).toBe("healthy");
    attempt(breaker, "a", 900);
    expect(breaker.condition("a", 900).state).toBe("healthy");
    attempt(breaker, "a", 950, refused);
    expect(breaker.condition("a", 1000)).toEqual({ state: "ejected", reason: expect.stringContaining("5 of 10 attempts in 10 s got no answer") });
  });

  it("forgets failures older than the window", () => {
    const breaker = breakerOf(["a", "b"], { consecutiveFailures: 100, errorRate: 0.5, errorRateWindowMs: 10_000, errorRateMinAttempts: 10 });
    failTimes(breaker, "a", 9, 0);
    attempt(breaker, "a", 20_000, refused);
    expect(breaker.condition("a", 20_000).state).toBe("healthy");
  });

  it("ends an ejection in PROBING, one request at a time; an answered probe makes it HEALTHY", () => {
    const breaker = breakerOf(["a", "b"]);
    failTimes(breaker, "a", 3, 0);
    expect(breaker.condition("a", 1000)).toEqual({ state: "probing", reason: "its ejection (1st) ended: probed by 1 request at a time" });
    const probe = breaker.begin("a", 1000);
    expect(breaker.admits("a", 1001)).toBe(false);
    probe.end(undefined, 1010);
    expect(breaker.condition("a", 1010)).toEqual({ state: "healthy", reason: "" });
    expect(breaker.admits("a", 1010)).toBe(true);
  });

  it("ejects again, for twice as long each time up to the maximum, when a probe gets no answer", () => {
    const breaker = breakerOf(["a", "b"]);
    failTimes(breaker, "a", 3, 0);
    let at = 0;
    const lengths: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      let until = at;
      while (breaker.condition("a", until).state === "ejected") until += 100;
      lengths.push(until - at);
      at = until;
      attempt(breaker, "a", at, refused);
    }
    expect(lengths).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(breaker.condition("a", at).reason).toBe("ejected for 5 s (6th ejection): its probe got no answer (UNAVAILABLE)");
  });

  it("starts counting ejections again once the instance has been HEALTHY long enough", () => {
    const breaker = breakerOf(["a", "b"], { forgetAfterMs: 30_000 });
    failTimes(breaker, "a", 3, 0);
    attempt(breaker, "a", 1000, refused);
    attempt(breaker, "a", 3000);
    failTimes(breaker, "a", 3, 10_000);
    expect(breaker.condition("a", 10_000).reason).toContain("ejected for 4 s (3rd ejection)");
    attempt(breaker, "a", 14_000);
    failTimes(breaker, "a", 3, 44_000);
    expect(breaker.condition("a", 44_000).reason).toContain("ejected for 1 s (1st ejection)");
  });

  it("never ejects more than the configured share of the instances, and says why a failing one stays", () => {
    const breaker = breakerOf(["a", "b", "c", "d"], { maxEjectedShare: 0.5 });
    failTimes(breaker, "a", 3, 0);
    failTimes(breaker, "b", 3, 0);
    failTimes(breaker, "c", 3, 0);
    expect(["a", "b", "c", "d"].map((i) => breaker.condition(i, 10).state)).toEqual(["ejected", "ejected", "healthy", "healthy"]);
    expect(breaker.condition("c", 10).reason).toBe(
      "not ejected, 2 of 4 instances already are (the most the ejection share 0.5 allows): 3 attempts in a row got no answer (last: UNAVAILABLE)",
    );
    expect(breaker.admits("c", 10)).toBe(true);
  });

  it("always leaves one instance, whatever the share, and never ejects a single one", () => {
    const pair = breakerOf(["a", "b"], { maxEjectedShare: 1 });
    failTimes(pair, "a", 3, 0);
    failTimes(pair, "b", 3, 0);
    expect([pair.condition("a", 10).state, pair.condition("b", 10).state]).toEqual(["ejected", "healthy"]);
    const single = breakerOf([""], { maxEjectedShare: 1 });
    failTimes(single, "", 10, 0);
    expect(single.condition("", 10).state).toBe("healthy");
  });

  it("counts a PROBING instance as out when it caps the share", () => {
    const breaker = breakerOf(["a", "b"]);
    failTimes(breaker, "a", 3, 0);
    failTimes(breaker, "b", 3, 1500);
    expect([breaker.condition("a", 1500).state, breaker.condition("b", 1500).state]).toEqual(["probing", "healthy"]);
  });

  it("never counts an answer against an instance: saturated, or a model version it cannot load", () => {
    const breaker = breakerOf(["a", "b"]);
    failTimes(breaker, "a", 10, 0, saturated);
    failTimes(breaker, "a", 10, 0, unloadable);
    failTimes(breaker, "a", 10, 0, new RpcError({ code: Code.CANCELLED, message: "the caller went away" }));
    expect(breaker.condition("a", 0).state).toBe("healthy");
  });

  it("closes on a probe the executor answers even with an error of its own", () => {
    const breaker = breakerOf(["a", "b"]);
    failTimes(breaker, "a", 3, 0);
    attempt(breaker, "a", 1000, saturated);
    expect(breaker.condition("a", 1000).state).toBe("healthy");
  });

  it("ignores attempts begun before a change of state (a late failure does not eject a recovered instance)", () => {
    const breaker = breakerOf(["a", "b"]);
    const late = [breaker.begin("a", 0), breaker.begin("a", 0), breaker.begin("a", 0)];
    failTimes(breaker, "a", 3, 0);
    attempt(breaker, "a", 1000);
    for (const pending of late) pending.end(refused, 1001);
    expect(breaker.condition("a", 1001).state).toBe("healthy");
  });

  it("lets a probe that is cancelled free its place for the next one", () => {
    const breaker = breakerOf(["a", "b"]);
    failTimes(breaker, "a", 3, 0);
    breaker.begin("a", 1000).end(new RpcError({ code: Code.CANCELLED, message: "cancelled" }), 1001);
    expect([breaker.condition("a", 1001).state, breaker.admits("a", 1001)]).toEqual(["probing", true]);
  });
});

describe("what the breaker tells its observer", () => {
  it("hears of every change of state, with the reason", () => {
    const heard: string[] = [];
    const breaker = createInstanceBreaker(() => ["a", "b"], settings, (instance, { state }) => heard.push(`${instance} ${state}`));
    failTimes(breaker, "a", 3, 0);
    attempt(breaker, "a", 1000, refused);
    attempt(breaker, "a", 3000);
    expect(heard).toEqual(["a ejected", "a probing", "a ejected", "a probing", "a healthy"]);
  });
});
