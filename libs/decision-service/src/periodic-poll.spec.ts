import { afterEach, describe, expect, it } from "@jest/globals";
import { eventually, logged, memoryLogger } from "./decision.test-support.js";
import { type PeriodicPoll, type PollLoop, type PollerHost, createPeriodicPoll } from "./periodic-poll.js";

const FAILED = "source poll failed";
const RECOVERED = "source poll recovered";

/** A source whose answers the test sets: a value, or an error while `failing` is set. */
interface Source {
  value: number;
  failing: boolean;
  readonly calls: { readonly signal: AbortSignal; readonly timeoutMs: number }[];
  fetch(signal: AbortSignal, timeoutMs: number): Promise<number>;
}

function source(): Source {
  const self: Source = {
    value: 1,
    failing: false,
    calls: [],
    async fetch(signal, timeoutMs) {
      self.calls.push({ signal, timeoutMs });
      if (self.failing) throw new Error("source unreachable");
      return self.value;
    },
  };
  return self;
}

describe("createPeriodicPoll", () => {
  let poll: PeriodicPoll<number> | undefined;
  let logs: string[];
  let now: number;

  const start = (fetch: PollLoop<number>["fetch"], host: Partial<PollerHost> = {}, intervalMs = 60_000) => {
    logs = [];
    now = 1_000_000;
    poll = createPeriodicPoll({ logger: memoryLogger(logs), clock: () => now, start: false, ...host }, {
      component: "source-poller",
      fetch,
      intervalMs,
      timeoutMs: 750,
      messages: {
        failed: FAILED,
        failedFields: () => ({ maxAgeMs: 9000 }),
        recovered: RECOVERED,
        recoveredFields: (value) => ({ value }),
      },
    });
    return poll;
  };

  afterEach(async () => {
    await poll?.close();
    poll = undefined;
  });

  it("has no value before the first good poll, then the value of the last good poll", async () => {
    const answers = source();
    const poller = start(answers.fetch);
    expect(poller.latest()).toBeUndefined();

    expect(await poller.pollOnce()).toBe(true);
    expect(poller.latest()).toBe(1);
    answers.value = 2;
    expect(await poller.pollOnce()).toBe(true);
    expect(poller.latest()).toBe(2);
  });

  it("gives every call the deadline and the poll's abort signal, which close aborts", async () => {
    const answers = source();
    const poller = start(answers.fetch);
    await poller.pollOnce();
    expect(answers.calls.map((call) => [call.timeoutMs, call.signal.aborted])).toEqual([[750, false]]);

    await poller.close();
    expect(answers.calls[0]?.signal.aborted).toBe(true);
  });

  it("keeps the last good value through failed polls, warning once per streak with its age, and says when it recovers", async () => {
    const answers = source();
    const poller = start(answers.fetch);
    await poller.pollOnce();

    answers.failing = true;
    now += 1500;
    expect(await poller.pollOnce()).toBe(false);
    now += 1000;
    expect(await poller.pollOnce()).toBe(false);
    expect(poller.latest()).toBe(1);
    expect(logged(logs, FAILED)).toEqual([
      expect.objectContaining({ component: "source-poller", lastGoodAgeMs: 1500, maxAgeMs: 9000, error: expect.objectContaining({ message: "source unreachable" }) }),
    ]);

    answers.failing = false;
    answers.value = 3;
    expect(await poller.pollOnce()).toBe(true);
    expect(logged(logs, RECOVERED)).toEqual([expect.objectContaining({ failures: 2, value: 3 })]);

    answers.failing = true;
    await poller.pollOnce();
    await poller.pollOnce();
    expect(logged(logs, FAILED)).toHaveLength(2);
    expect(logged(logs, RECOVERED)).toHaveLength(1);
  });

  it("reports no last good age when no poll has succeeded yet", async () => {
    const answers = source();
    answers.failing = true;
    const poller = start(answers.fetch);
    expect(await poller.pollOnce()).toBe(false);
    expect(poller.latest()).toBeUndefined();
    expect(logged(logs, FAILED)).toEqual([expect.objectContaining({ lastGoodAgeMs: null })]);
  });

  it("polls on its own when started, and a poll cut short by close is neither a failure nor logged", async () => {
    let polls = 0;
    const poller = start(
      (signal) => {
        polls++;
        if (polls === 1) return Promise.resolve(polls);
        if (signal.aborted) return Promise.reject(new Error("aborted"));
        return new Promise<number>((_resolve, reject) => signal.addEventListener("abort", () => reject(new Error("aborted"))));
      },
      { start: true },
      5,
    );
    await eventually(() => expect(polls).toBe(2));
    expect(poller.latest()).toBe(1);

    await poller.close();
    expect(logged(logs, FAILED)).toEqual([]);
    expect(await poller.pollOnce()).toBe(false);
    expect(logged(logs, FAILED)).toEqual([]);
  });
});
