import { describe, expect, it } from "@jest/globals";
import { answeredShare, h2loadArgs, parseH2loadReport } from "./h2load.js";

/** h2load 1.52's report of a timed run against the echo baseline (trimmed progress lines). */
const REPORT = `starting benchmark...
spawning thread #0: 1 total client(s). Timing-based test with 0s of warm-up time and 3s of main duration for measurements.
Application protocol: h2c
Main benchmark duration is started for thread #0.
Main benchmark duration is over for thread #0. Stopping all clients.
Stopped all clients for thread #0

finished in 3.00s, 20330.67 req/s, 4.98MB/s
requests: 60992 total, 60992 started, 60992 done, 60990 succeeded, 2 failed, 0 errored, 0 timeout
status codes: 60990 2xx, 0 3xx, 0 4xx, 2 5xx
traffic: 14.95MB (15679563) total, 340.80KB (348982) headers (space savings 96.40%), 13.01MB (13640770) data
                     min         max         mean         sd        +/- sd
time for request:     1.51ms     27.43ms      3.11ms      3.19ms    89.30%
time for connect:        0us         0us         0us         0us     0.00%
time to 1st byte:        0us         0us         0us         0us     0.00%
req/s           :   20329.69    20329.69    20329.69        0.00   100.00%
`;

describe("parseH2loadReport", () => {
  it("reads rate, request counts, 2xx, body bytes and mean time per request", () => {
    expect(parseH2loadReport(REPORT)).toEqual({
      seconds: 3,
      requestsPerSecond: 20330.67,
      total: 60992,
      succeeded: 60990,
      failed: 2,
      errored: 0,
      timeout: 0,
      status2xx: 60990,
      dataBytes: 13_640_770,
      meanRequestUs: 3110,
    });
  });

  it("fails with the output when the summary is missing (h2load could not connect)", () => {
    expect(() => parseH2loadReport("starting benchmark...\nNo protocol negotiated. Aborted\n")).toThrow(/cannot parse h2load output[\s\S]*Aborted/);
  });
});

describe("answeredShare", () => {
  it("is 1 when every succeeded request carried a full gRPC frame, lower when some were trailers-only errors", () => {
    const report = parseH2loadReport(REPORT);
    expect(answeredShare(report, 13_640_770 / 60990)).toBeCloseTo(1, 6);
    expect(answeredShare({ ...report, dataBytes: 13_640_770 / 2 }, 13_640_770 / 60990)).toBeCloseTo(0.5, 6);
    expect(answeredShare({ ...report, succeeded: 0 }, 223)).toBe(0);
  });
});

describe("h2loadArgs", () => {
  it("posts the framed body as gRPC over cleartext HTTP/2 from one thread for a timed run", () => {
    const args = h2loadArgs({ url: "http://127.0.0.1:1/p/M", bodyFile: "/tmp/b", connections: 4, streams: 32, durationS: 5 });
    expect(args.join(" ")).toBe("-D 5 -c 4 -m 32 -t 1 -d /tmp/b -H content-type: application/grpc -H te: trailers http://127.0.0.1:1/p/M");
  });
});
