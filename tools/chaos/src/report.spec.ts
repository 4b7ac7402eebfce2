import { describe, expect, it } from "@jest/globals";
import { formatScenario } from "./report.js";
import { brokenInvariants, invariant, missedCriteria, ms } from "./scenario-result.js";

describe("the report", () => {
  const result = {
    id: "FLT-9",
    title: "a fault",
    setup: "10 req/s",
    figures: [["statuses", "OK 10 | UNAVAILABLE 1"]] as const,
    invariants: [invariant("0 lost", true, "0"), invariant("only UNAVAILABLE", false, "INTERNAL 1")],
    criteria: [invariant("recovery ≤ 1 s", false, "1,200 ms")],
  };

  it("is a Markdown table per scenario: figures, then invariants and timing criteria marked held or not", () => {
    expect(formatScenario(result).split("\n")).toEqual([
      "### FLT-9: a fault",
      "",
      "10 req/s",
      "",
      "| figure | value |",
      "|---|---|",
      "| statuses | OK 10 \\| UNAVAILABLE 1 |",
      "| ✅ 0 lost | 0 |",
      "| ❌ only UNAVAILABLE | INTERNAL 1 |",
      "| ❌ recovery ≤ 1 s (timing) | 1,200 ms |",
    ]);
  });

  it("lists broken invariants apart from missed timing criteria", () => {
    expect(brokenInvariants([result])).toEqual(["FLT-9: only UNAVAILABLE (seen: INTERNAL 1)"]);
    expect(missedCriteria([result])).toEqual(["FLT-9: recovery ≤ 1 s (seen: 1,200 ms)"]);
  });

  it("writes milliseconds rounded, with a thousands separator, never as -0, and a dash for none", () => {
    expect([ms(1_234.4), ms(-0.3), ms(undefined)]).toEqual(["1,234 ms", "0 ms", "—"]);
  });
});
