import { describe, expect, it } from "@jest/globals";
import { Code } from "./code.js";
import { RpcError } from "./rpc-error.js";
import { type WatchLoopLogger, type WatchMessage, runWatchLoop } from "./watch-loop.js";

interface Message extends WatchMessage {
  readonly label: string;
}

const msg = (label: string, revision: bigint, flags: { reset?: boolean; snapshotComplete?: boolean } = {}): Message => ({
  label,
  revision,
  reset: flags.reset ?? false,
  snapshotComplete: flags.snapshotComplete ?? false,
});

/** A logger keeping "level message" lines. */
const lines = (): { logger: WatchLoopLogger; logged: string[] } => {
  const logged: string[] = [];
  const keep = (level: string) => (message: string) => void logged.push(`${level} ${message}`);
  return { logger: { debug: keep("debug"), warn: keep("warn"), error: keep("error") }, logged };
};

/**
 * Runs the loop over scripted streams: the nth opening yields `scripts[n]`'s messages then throws its error
 * (if any); the loop is stopped once every script has been opened. Returns the revisions each opening
 * asked for and the labels applied.
 */
async function follow(scripts: readonly { messages: Message[]; error?: unknown }[], logger = lines().logger) {
  const stop = new AbortController();
  const openedFrom: bigint[] = [];
  const applied: string[] = [];
  await runWatchLoop<Message>({
    name: "test",
    async *open(since) {
      const script = scripts[openedFrom.length];
      openedFrom.push(since);
      if (script === undefined) {
        stop.abort();
        return;
      }
      yield* script.messages;
      if (script.error !== undefined) throw script.error;
    },
    apply: (message) => void applied.push(message.label),
    logger,
    signal: stop.signal,
    streamTimeoutMs: 60_000,
    retryDelayMs: 1,
    maxRetryDelayMs: 1,
  });
  return { openedFrom, applied };
}

describe("runWatchLoop", () => {
  it("opens from a full snapshot first, then resumes a broken stream from the last revision applied", async () => {
    const unavailable = new RpcError({ code: Code.UNAVAILABLE, message: "the registry went away" });
    const { openedFrom, applied } = await follow([
      { messages: [msg("snapshot", 5n, { reset: true, snapshotComplete: true }), msg("change", 6n)], error: unavailable },
      { messages: [msg("later", 7n)] },
    ]);
    expect(openedFrom).toEqual([0n, 6n, 7n]);
    expect(applied).toEqual(["snapshot", "change", "later"]);
  });

  it("starts a snapshot cut short over from revision 0, since resuming inside it would never complete it", async () => {
    const { logger, logged } = lines();
    const { openedFrom } = await follow(
      [
        { messages: [msg("part 1", 4n, { reset: true })], error: new RpcError({ code: Code.UNAVAILABLE, message: "broken" }) },
        { messages: [msg("part 1", 4n, { reset: true }), msg("part 2", 4n, { snapshotComplete: true })] },
      ],
      logger,
    );
    expect(openedFrom).toEqual([0n, 0n, 4n]);
    expect(logged).toContain("warn watch stream ended inside a snapshot; starting it over");
  });

  it("logs a message too large to accept at error level, since retrying cannot help", async () => {
    const { logger, logged } = lines();
    await follow([{ messages: [], error: new RpcError({ code: Code.RESOURCE_EXHAUSTED, message: "message larger than max" }) }], logger);
    expect(logged).toContain("error a watch message is larger than this process accepts; the registry must send smaller ones");
  });

  it("resolves at once when stopped before it starts", async () => {
    const stop = new AbortController();
    stop.abort();
    let opened = 0;
    await runWatchLoop<Message>({
      name: "test",
      open: async function* () {
        opened++;
      },
      apply: () => undefined,
      logger: lines().logger,
      signal: stop.signal,
      streamTimeoutMs: 1000,
      retryDelayMs: 1,
      maxRetryDelayMs: 1,
    });
    expect(opened).toBe(0);
  });
});
