import { describe, expect, it } from "@jest/globals";
import { createRunRecorder } from "./run-recorder.js";

describe("createRunRecorder", () => {
  const window = { startNs: 1000, endNs: 2000 };

  it("counts requests that start inside the window, by status, and times only the successful ones", () => {
    const r = createRunRecorder(window);
    r.record(1000, 1500, 0);
    r.record(1999, 5000, 0);
    r.record(1500, 1600, 14);
    const run = r.result();
    expect(run).toMatchObject({ completed: 3, errors: 1, statusCounts: { 0: 2, 14: 1 } });
    expect(run.latency.count).toBe(2);
    expect(run.latency.max).toBeCloseTo(3.001, 2);
  });

  it("counts requests started before the window as warm-up, and ignores those started after it", () => {
    const r = createRunRecorder(window);
    r.record(999, 1200, 0);
    r.record(500, 600, 4);
    r.record(2000, 2100, 0);
    expect(r.result()).toMatchObject({ completed: 0, warmupCompleted: 2, warmupErrors: 1, errors: 0 });
  });
});
