import { describe, expect, it } from "@jest/globals";
import { CandidateRole, Strategy } from "@modelrouter/contracts";
import { compilePolicy } from "./index.js";
import { model, policy } from "./policy-fixtures.test-support.js";
import { chosen, decideFor, seededRandom, strategyPolicy } from "./strategy-fixtures.test-support.js";

const models = [model("digits-a", "1"), model("digits-b", "1"), model("digits-c", "1")];
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

function split(a: number, b: number, stickyKey = "user") {
  return strategyPolicy(
    Strategy.WEIGHTED,
    [
      { name: "digits-a", weight: a },
      { name: "digits-b", weight: b },
    ],
    { stickyKey },
  );
}

function share(arms: readonly string[], arm: string): number {
  return (100 * arms.filter((a) => a === arm).length) / arms.length;
}

function violations(init: Parameters<typeof policy>[0]): string[] {
  const result = compilePolicy(policy(init));
  return result.kind === "invalid" ? result.violations.map((v) => `${v.field}: ${v.description}`) : [];
}

describe("STRATEGY_WEIGHTED", () => {
  it("splits 10,000 keyed users 70/30 within two points", () => {
    const policy70 = split(70, 30);
    const arms = KEYS.map((user) => chosen(decideFor(policy70, models, { user })));
    expect(share(arms, "digits-a")).toBeGreaterThanOrEqual(68);
    expect(share(arms, "digits-a")).toBeLessThanOrEqual(72);
  });

  it("splits three arms 50/30/20 within two points each", () => {
    const three = strategyPolicy(
      Strategy.WEIGHTED,
      [
        { name: "digits-a", weight: 5 },
        { name: "digits-b", weight: 3 },
        { name: "digits-c", weight: 2 },
      ],
      { stickyKey: "metadata.session" },
    );
    const arms = KEYS.map((session) => chosen(decideFor(three, models, { metadata: { session } })));
    expect(Math.abs(share(arms, "digits-a") - 50)).toBeLessThanOrEqual(2);
    expect(Math.abs(share(arms, "digits-b") - 30)).toBeLessThanOrEqual(2);
    expect(Math.abs(share(arms, "digits-c") - 20)).toBeLessThanOrEqual(2);
  });

  it("keeps a user on the same arm on every request", () => {
    const policy70 = split(70, 30);
    for (const user of KEYS.slice(0, 200)) {
      const first = chosen(decideFor(policy70, models, { user }));
      expect(chosen(decideFor(policy70, models, { user }))).toBe(first);
    }
  });

  it("moves only about the shifted tenth of users, all towards the grown arm, when 70/30 becomes 80/20", () => {
    const [policy70, policy80] = [split(70, 30), split(80, 20)];
    const before = KEYS.map((user) => chosen(decideFor(policy70, models, { user })));
    const after = KEYS.map((user) => chosen(decideFor(policy80, models, { user })));
    const moved = before.filter((arm, i) => arm !== after[i]);
    const movedShare = (100 * moved.length) / KEYS.length;
    expect(movedShare).toBeGreaterThanOrEqual(8);
    expect(movedShare).toBeLessThanOrEqual(12);
    expect(new Set(moved)).toEqual(new Set(["digits-b"]));
  });

  it("splits requests without the key with the injected random source, within two points", () => {
    const random = seededRandom(42);
    const policy70 = split(70, 30);
    const arms = KEYS.map(() => chosen(decideFor(policy70, models, { random })));
    expect(Math.abs(share(arms, "digits-a") - 70)).toBeLessThanOrEqual(2);
  });

  it("explains the arm and the hash key of the chosen and the other arm, which stays a fallback", () => {
    const result = decideFor(split(70, 30), models, { user: "alice" });
    const candidates = result.decision.explanation?.candidates ?? [];
    const target = candidates.find((c) => c.role === CandidateRole.TARGET);
    const other = candidates.find((c) => c.role === CandidateRole.FALLBACK);
    expect(target?.reason).toMatch(/^chosen by the weighted split: arm digits-[ab] \(weight [73]0 of 100, [73]0\.0 %\); hash key user="alice"$/);
    expect(other?.reason).toMatch(/^fallback 1 of 1; not chosen by the weighted split: arm digits-[ab] .*hash key user="alice"$/);
  });

  it("says when a request lacks the sticky key and was drawn at random", () => {
    const result = decideFor(split(70, 30), models, { random: () => 0.1 });
    expect(chosen(result)).toBe("digits-a");
    expect(result.decision.explanation?.candidates[0]?.reason).toContain("drawn at random (the request has no user)");
  });

  it("splits among the eligible targets only, in proportion to their weights", () => {
    const onlyB = [model("digits-b", "1")];
    expect(chosen(decideFor(split(70, 30), onlyB, { user: "alice" }))).toBe("digits-b");
  });

  it("rejects weights that are not greater than 0, naming each target's weight", () => {
    const found = violations({
      name: "ab",
      defaultRoute: {
        strategy: Strategy.WEIGHTED,
        targets: [
          { kind: { case: "model", value: { name: "digits-a" } }, weight: 0 },
          { kind: { case: "model", value: { name: "digits-b" } }, weight: -30 },
        ],
      },
    });
    expect(found).toEqual([
      expect.stringMatching(/^default_route\.targets\[0\]\.weight: is 0: give every target of a weighted route a weight greater than 0/),
      expect.stringMatching(/^default_route\.targets\[1\]\.weight: is -30: /),
    ]);
  });

  it("rejects weights whose sum is not finite", () => {
    const found = violations({
      name: "ab",
      defaultRoute: {
        strategy: Strategy.WEIGHTED,
        targets: [
          { kind: { case: "model", value: { name: "digits-a" } }, weight: 1e308 },
          { kind: { case: "model", value: { name: "digits-b" } }, weight: 1e308 },
        ],
      },
    });
    expect(found).toEqual([expect.stringMatching(/^default_route\.targets: the weights sum to Infinity/)]);
  });

  it("rejects a weight or sticky key on a route that does not split, and a weight on a fallback", () => {
    const found = violations({
      name: "first",
      defaultRoute: {
        strategy: Strategy.FIRST,
        targets: [{ kind: { case: "model", value: { name: "digits-a" } }, weight: 70 }],
        fallbacks: [{ kind: { case: "model", value: { name: "digits-b" } }, weight: 30 }],
        stickyKey: "user",
      },
    });
    expect(found).toEqual([
      expect.stringMatching(/^default_route\.targets\[0\]\.weight: is 70, but only STRATEGY_WEIGHTED uses weights/),
      expect.stringMatching(/^default_route\.fallbacks\[0\]\.weight: is set, but fallbacks take no share/),
      expect.stringMatching(/^default_route\.sticky_key: is set, but only STRATEGY_WEIGHTED uses a sticky key/),
    ]);
  });

  it.each([
    ["session", /names nothing a request carries: use "user".*"tenant".*"metadata\.<key>"/],
    ["metadata.", /names no metadata key/],
  ])("rejects the sticky key %p, naming what a key can be", (stickyKey, message) => {
    const found = violations({
      name: "ab",
      defaultRoute: {
        strategy: Strategy.WEIGHTED,
        targets: [{ kind: { case: "model", value: { name: "digits-a" } }, weight: 1 }],
        stickyKey,
      },
    });
    expect(found).toEqual([expect.stringMatching(new RegExp(`^default_route\\.sticky_key: .*${message.source}`))]);
  });
});
