import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "@jest/globals";
import { DecisionRecordSchema, PolicyRevisionSchema } from "@modelrouter/contracts";
import { listDecisionsRequestOf } from "./decision-filters.js";
import { decisionTable } from "./decision-table.js";
import { capture } from "./io.test-support.js";
import { main } from "./main.js";
import { revisionTable } from "./policy-history.js";

const NOW_MS = Date.UTC(2026, 0, 31, 12, 0, 0);

describe("decision log and policy history commands", () => {
  it("turns every filter option into the ListDecisions field it names", () => {
    const request = listDecisionsRequestOf(
      {
        since: "15m",
        until: "2026-01-31T11:55:00Z",
        model: "digits-lowres",
        policy: "digits-routing",
        rule: "images",
        revision: "42",
        tenant: "acme",
        outcome: "unavailable",
        fallback: "yes",
      },
      NOW_MS,
    );
    expect(request).toMatchObject({
      startTime: timestampFromMs(NOW_MS - 15 * 60_000),
      endTime: timestampFromMs(Date.UTC(2026, 0, 31, 11, 55)),
      model: "digits-lowres",
      policy: "digits-routing",
      rule: "images",
      policyRevision: 42n,
      tenant: "acme",
      code: 14,
      fallbackUsed: true,
    });
    expect(listDecisionsRequestOf({ outcome: "ok", fallback: "no" }, NOW_MS)).toMatchObject({ code: 0, fallbackUsed: false });
    const none = listDecisionsRequestOf({}, NOW_MS);
    expect([none.startTime, none.code, none.fallbackUsed, none.policyRevision]).toEqual([undefined, undefined, undefined, 0n]);
  });

  it.each([
    [["--since", "yesterday"], "--since yesterday: expected a duration before now"],
    [["--outcome", "maybe"], "--outcome maybe: expected ok, or a gRPC code"],
    [["--fallback", "true"], "--fallback true: expected yes"],
    [["--revision=-3"], "--revision -3: expected a policy revision"],
    [["--limit", "0"], "--limit 0: expected a whole number from 1 to 10000"],
  ])("refuses decisions list %j before calling, naming the option (exit 2)", async (options, message) => {
    const io = capture();
    expect(await main(["--registry", "127.0.0.1:9", "decisions", "list", ...options], io, {})).toBe(2);
    expect(io.errText()).toContain(message);
  });

  it("refuses a tail interval below its bound, and an unknown action", async () => {
    const io = capture();
    expect(await main(["--registry", "127.0.0.1:9", "decisions", "tail", "-f", "--interval", "10"], io, {})).toBe(2);
    expect(io.errText()).toContain("--interval 10: poll at most every 250 ms");
    const io2 = capture();
    expect(await main(["decisions", "grep"], io2, {})).toBe(2);
    expect(io2.errText()).toContain('decisions: unknown action "grep" (say list or tail)');
  });

  it("lays out decisions as a table: outcome by code name, model@version, the propensity, '-' for what is absent", () => {
    const answered = create(DecisionRecordSchema, {
      requestId: "r1",
      time: timestampFromMs(NOW_MS),
      model: { name: "digits-lowres", version: "1" },
      policy: "digits-routing",
      rule: "images",
      policyRevision: 12n,
      fallbackUsed: true,
      propensity: 5 / 12,
      tenant: "acme",
      instance: "10.0.0.5:50055",
      shadows: [
        { model: { name: "digits-lite", version: "1" }, sameTopLabel: true, scoreDistance: 0.0132 },
        { model: { name: "digits-next", version: "2" }, sameTopLabel: false },
        { model: { name: "digits-slow", version: "1" }, code: 8, message: "dropped: 32 shadows in flight" },
        { model: { name: "digits-broken", version: "1" }, code: 14, message: "the model file is missing" },
      ],
    });
    const failed = create(DecisionRecordSchema, { requestId: "r2", time: timestampFromMs(NOW_MS), code: 14, policy: "digits-routing" });
    const [header, first, second] = decisionTable([answered, failed]).map((line) => line.split(/\s+/));
    expect(header).toEqual(["TIME", "REQUEST", "OUTCOME", "MODEL", "INSTANCE", "POLICY", "RULE", "REVISION", "FALLBACK", "PROPENSITY", "TENANT", "SHADOWS"]);
    expect(first).toEqual([
      "2026-01-31T12:00:00.000Z",
      "r1",
      "ok",
      "digits-lowres@1",
      "10.0.0.5:50055",
      "digits-routing",
      "images",
      "12",
      "yes",
      "0.417",
      "acme",
      "digits-lite@1=same(0.013),digits-next@2=differs,digits-slow@1=dropped,digits-broken@1=UNAVAILABLE",
    ]);
    expect(second).toEqual(["2026-01-31T12:00:00.000Z", "r2", "UNAVAILABLE", "-", "-", "digits-routing", "-", "-", "no", "-", "-", "-"]);
    expect(decisionTable([answered], false)).toHaveLength(1);
  });

  it("lays out a policy's history newest first with who applied each revision", () => {
    const lines = revisionTable([
      create(PolicyRevisionSchema, { revision: 9n, time: timestampFromMs(NOW_MS), appliedBy: "alice", digest: "0123456789ab" }),
      create(PolicyRevisionSchema, { revision: 4n, time: timestampFromMs(NOW_MS - 60_000), digest: "ba9876543210" }),
    ]).map((line) => line.split(/\s+/));
    expect(lines).toEqual([
      ["REVISION", "APPLIED", "BY", "DIGEST"],
      ["9", "2026-01-31T12:00:00.000Z", "alice", "0123456789ab"],
      ["4", "2026-01-31T11:59:00.000Z", "-", "ba9876543210"],
    ]);
  });

  it("documents the new commands and refuses a rollback without --to (exit 2)", async () => {
    const help = capture();
    await main(["--help"], help, {});
    for (const usage of ["decisions list", "decisions tail [-f]", "policies history NAME", "policies rollback NAME --to N"]) {
      expect(help.outText()).toContain(usage);
    }
    const io = capture();
    expect(await main(["policies", "rollback", "p"], io, {})).toBe(2);
    expect(io.errText()).toContain("give the policy's NAME and --to REVISION");
  });
});
