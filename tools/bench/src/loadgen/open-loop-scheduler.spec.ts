import { describe, expect, it } from "@jest/globals";
import { createOpenLoopScheduler, type OpenLoopPlan } from "./open-loop-scheduler.js";
import { createRandom } from "./random.js";
import { createRunRecorder } from "./run-recorder.js";

const MS = 1e6;
const plan = (overrides: Partial<OpenLoopPlan> = {}): OpenLoopPlan => ({
  ratePerSecond: 1000,
  startNs: 0,
  endNs: 10 * MS,
  maxInFlight: 100,
  arrival: "uniform",
  ...overrides,
});

/**
 * A discrete-event simulation on a fake clock: `servers` servers answering requests in arrival order, each
 * taking `serviceMs`, and the generator waking at every intended time and every completion. Returns
 * the recorder (latency from the intended time) and the scheduler.
 */
function simulate(p: OpenLoopPlan, serviceMs: number, servers = 1, windowStart = p.startNs) {
  const scheduler = createOpenLoopScheduler(p);
  const recorder = createRunRecorder({ startNs: windowStart, endNs: p.endNs });
  const busyUntil: number[] = Array.from({ length: servers }, () => 0);
  const pending: { done: number; intended: number }[] = [];
  let now = p.startNs;
  for (let step = 0; step < 100_000; step++) {
    for (const intended of scheduler.due(now)) {
      const free = busyUntil.indexOf(Math.min(...busyUntil));
      const start = Math.max(now, busyUntil[free]!);
      busyUntil[free] = start + serviceMs * MS;
      pending.push({ done: start + serviceMs * MS, intended });
    }
    pending.sort((a, b) => a.done - b.done);
    if (scheduler.finished && pending.length === 0) break;
    const nextEvent = Math.min(scheduler.nextWakeNs() ?? Infinity, pending[0]?.done ?? Infinity, now < p.endNs ? p.endNs : Infinity);
    now = Math.max(now, nextEvent);
    while (pending.length > 0 && pending[0]!.done <= now) {
      const done = pending.shift()!;
      recorder.record(done.intended, done.done, 0);
      scheduler.completed();
    }
    if (nextEvent === Infinity) break;
  }
  return { scheduler, recorder };
}

describe("the open-model schedule", () => {
  it("intends request i at t0 + i/R, whatever the answers do", () => {
    const s = createOpenLoopScheduler(plan({ startNs: 5 * MS, endNs: 15 * MS }));
    expect(s.due(5 * MS - 1)).toEqual([]);
    expect(s.due(7.5 * MS)).toEqual([5 * MS, 6 * MS, 7 * MS]);
    expect(s.nextWakeNs()).toBe(8 * MS);
    expect(s.due(8 * MS)).toEqual([8 * MS]);
  });

  it("sends nothing at or after the end, and is finished once the last request is sent", () => {
    const s = createOpenLoopScheduler(plan({ endNs: 3 * MS }));
    expect(s.due(100 * MS)).toEqual([0, 1 * MS, 2 * MS]);
    expect(s.finished).toBe(true);
    expect(s.nextWakeNs()).toBeUndefined();
    expect(s.stats()).toMatchObject({ intended: 3, sent: 3, dropped: 0 });
  });

  it("measures latency from the intended send time, so a slow server's queue shows as latency (no coordinated omission)", () => {
    // 1,000 req/s offered to a server that needs 2 ms per request: it falls 1 ms further behind per request.
    const { recorder } = simulate(plan({ endNs: 10 * MS }), 2);
    const run = recorder.result();
    expect(run.completed).toBe(10);
    // Request i is intended at i ms, starts at 2i ms, ends at 2i + 2 ms: latency i + 2 ms, up to 11 ms.
    expect(run.latency.min).toBe(2000);
    expect(run.latency.max).toBe(11_000);
    // The median of 2…11 ms by nearest rank is 6 ms (reported to the histogram's 0.8 %).
    expect(run.latency.p50 / 6000).toBeCloseTo(1, 2);
  });

  it("measures only the service time when the server keeps up", () => {
    const { recorder, scheduler } = simulate(plan({ endNs: 20 * MS }), 0.3);
    expect(recorder.result().latency).toMatchObject({ count: 20, min: 300, max: 300 });
    expect(scheduler.stats()).toMatchObject({ intended: 20, sent: 20, late: 0, dropped: 0 });
  });

  it("holds due requests back at the in-flight cap and counts them late, their wait still in their latency", () => {
    const s = createOpenLoopScheduler(plan({ maxInFlight: 2 }));
    expect(s.due(3.5 * MS)).toEqual([0, 1 * MS]);
    expect([s.inFlight, s.waiting]).toEqual([2, 2]);
    s.completed();
    expect(s.due(4 * MS)).toEqual([2 * MS]);
    const stats = s.stats();
    expect(stats.sent).toBe(3);
    // Sent 3.5, 2.5 and 2 ms after their intended times: all beyond the 1 ms allowance.
    expect(stats.late).toBe(3);
    expect(stats.sendLag.max).toBeCloseTo(3500, -1);
  });

  it("drops a request that could not be sent within the allowed delay", () => {
    const s = createOpenLoopScheduler(plan({ maxInFlight: 1, maxSendDelayNs: 2 * MS }));
    expect(s.due(0)).toEqual([0]);
    expect(s.due(5 * MS)).toEqual([]);
    s.completed();
    // Intended at 1–5 ms; at 5.5 ms those intended before 3.5 ms are too late.
    expect(s.due(5.5 * MS)).toEqual([4 * MS]);
    expect(s.stats()).toMatchObject({ dropped: 3, sent: 2 });
  });

  it("drops what still waits for a slot when the schedule ends", () => {
    const s = createOpenLoopScheduler(plan({ maxInFlight: 1, endNs: 5 * MS }));
    s.due(4.5 * MS);
    expect(s.waiting).toBe(4);
    s.due(6 * MS);
    expect(s.finished).toBe(true);
    expect(s.stats()).toMatchObject({ intended: 5, sent: 1, dropped: 4 });
  });

  it("leaves the warm-up out of its statistics", () => {
    const s = createOpenLoopScheduler(plan({ countFromNs: 5 * MS }));
    s.due(9.5 * MS);
    expect(s.stats()).toMatchObject({ intended: 5, sent: 5 });
  });

  it("draws Poisson arrivals from the seed: the same seed, the same schedule, at the offered rate on average", () => {
    const times = (seed: number): number[] => {
      const s = createOpenLoopScheduler(plan({ arrival: "poisson", random: createRandom(seed), endNs: 20_000 * MS, maxInFlight: 1e9 }));
      return s.due(20_000 * MS);
    };
    const a = times(7);
    expect(times(7)).toEqual(a);
    expect(times(8)).not.toEqual(a);
    expect(a.length).toBeGreaterThan(19_000);
    expect(a.length).toBeLessThan(21_000);
    expect(new Set(a.slice(1).map((t, i) => t - a[i]!)).size).toBeGreaterThan(1000);
  });

  it("refuses a plan it cannot run", () => {
    expect(() => createOpenLoopScheduler(plan({ ratePerSecond: 0 }))).toThrow(/rate/);
    expect(() => createOpenLoopScheduler(plan({ maxInFlight: 0 }))).toThrow(/maxInFlight/);
    expect(() => createOpenLoopScheduler(plan({ endNs: -1 }))).toThrow(/end/);
    expect(() => createOpenLoopScheduler(plan({ arrival: "poisson" }))).toThrow(/seeded/);
  });

  it("complains about a completion without a request in flight", () => {
    expect(() => createOpenLoopScheduler(plan()).completed()).toThrow(/in flight/);
  });
});
