import { describe, expect, it } from "@jest/globals";
import { SnapshotTracker } from "./catalogue-state.js";

const message = (reset: boolean, snapshotComplete: boolean) => ({ reset, snapshotComplete });

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
});
