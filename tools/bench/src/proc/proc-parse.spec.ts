import { describe, expect, it } from "@jest/globals";
import { parseMachineStat, parseProcessStat, parseVmRssKib } from "./proc-parse.js";

describe("parseProcessStat", () => {
  it("reads utime, stime, threads and RSS, counting fields from the last parenthesis of the command name", () => {
    const line =
      "4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 12345 0 0 0 1500 250 0 0 20 0 11 0 123456 1234567890 25600 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    expect(parseProcessStat(line)).toEqual({ utime: 1500, stime: 250, threads: 11, rssPages: 25600 });
  });

  it("rejects text that is not a stat line", () => {
    expect(() => parseProcessStat("no parenthesis here")).toThrow(/stat/);
    expect(() => parseProcessStat("1 (x) S 1 2")).toThrow(/field 14/);
  });
});

describe("parseMachineStat", () => {
  it("sums the busy counters of the aggregate cpu line and keeps idle, iowait and steal out of busy", () => {
    const text = "cpu  100 5 50 1000 20 3 7 11 0 0\ncpu0 50 2 25 500 10 1 3 5 0 0\nintr 1\n";
    expect(parseMachineStat(text)).toEqual({ busy: 165, total: 1196, steal: 11 });
  });

  it("fails without an aggregate line", () => {
    expect(() => parseMachineStat("cpu0 1 2 3 4\n")).toThrow(/aggregate/);
  });
});

describe("parseVmRssKib", () => {
  it("finds VmRSS in /proc/<pid>/status", () => {
    expect(parseVmRssKib("Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t   86784 kB\nThreads:\t11\n")).toBe(86_784);
  });

  it("is undefined for a process without memory (a zombie)", () => {
    expect(parseVmRssKib("Name:\tnode\nState:\tZ (zombie)\n")).toBeUndefined();
  });
});
