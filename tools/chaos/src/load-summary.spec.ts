import { describe, expect, it } from "@jest/globals";
import type { RequestRecord } from "./load-driver.js";
import { failureMessages, firstOkEndedAfter, formatStatuses, quantile, summarize, unexpectedStatuses } from "./load-summary.js";

const record = (sentAtMs: number, endedAtMs: number, status: string, message?: string): RequestRecord => ({
  sentAtMs,
  endedAtMs,
  latencyMs: endedAtMs - sentAtMs,
  callMs: endedAtMs - sentAtMs,
  status,
  ...(message === undefined ? {} : { message }),
});

describe("a load's summary", () => {
  const records = [record(0, 10, "OK"), record(10, 30, "OK"), record(20, 25, "UNAVAILABLE", "refused"), record(30, 130, "OK"), record(40, 45, "UNAVAILABLE", "refused")];

  it("counts every request by its final status, with the percentiles of the successful ones by nearest rank", () => {
    expect(summarize(records)).toEqual({ requests: 5, ok: 3, byStatus: { OK: 3, UNAVAILABLE: 2 }, p50Ms: 20, p99Ms: 100, maxMs: 100 });
    expect(quantile([], 0.99)).toBe(0);
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
  });

  it("names the statuses outside the allowed ones", () => {
    expect(unexpectedStatuses(summarize(records), ["OK", "UNAVAILABLE"])).toEqual({});
    expect(unexpectedStatuses(summarize(records), ["OK"])).toEqual({ UNAVAILABLE: 2 });
  });

  it("finds the first request to end OK from a time on", () => {
    expect(firstOkEndedAfter(records, 26)).toEqual(records[1]);
    expect(firstOkEndedAfter(records, 131)).toBeUndefined();
  });

  it("formats the statuses most frequent first, and the distinct failure messages with their counts", () => {
    expect(formatStatuses({ UNAVAILABLE: 2, OK: 1_200 })).toBe("OK 1,200 · UNAVAILABLE 2");
    expect(failureMessages(records)).toEqual(["UNAVAILABLE: refused (×2)"]);
  });
});
