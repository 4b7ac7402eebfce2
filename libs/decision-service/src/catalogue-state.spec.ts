import { describe, expect, it } from "@jest/globals";
import { SnapshotTracker } from "./catalogue-state.js";

const message = (reset: boolean, snapshotComplete: boolean, revision = 5n, changes: bigint[] = []) => ({
  reset,
  snapshotComplete,
  revision,
  changes: changes.map((r) => ({ revision: r })),
});

describe("SnapshotTracker", () => {
  it("is whole after a snapshot in one message", () => {
    expect(new SnapshotTracker().note(message(true, true))).toBe(true);
  });

  it("is partial from a reset until the message that completes the snapshot", () => {
    const tracker = new SnapshotTracker();
    expect(tracker.note(message(true, false))).toBe(false);
    expect(tracker.note(message(false, false))).toBe(false);
    expect(tracker.note(message(false, true))).toBe(true);
  });

  it("is whole after each live change, and partial again when a later reset starts", () => {
    const tracker = new SnapshotTracker();
    tracker.note(message(true, true));
    expect(tracker.note(message(false, false))).toBe(true);
    expect(tracker.note(message(true, false))).toBe(false);
    expect(tracker.note(message(false, true))).toBe(true);
  });

  it("is partial while a revision too large for one message arrives in parts (changes above the message's revision)", () => {
    const tracker = new SnapshotTracker();
    tracker.note(message(true, true, 5n, [3n, 5n]));
    expect(tracker.note(message(false, false, 6n, [6n, 7n]))).toBe(false);
    expect(tracker.note(message(false, false, 6n, [7n]))).toBe(false);
    expect(tracker.note(message(false, false, 7n, [7n]))).toBe(true);
  });
});
