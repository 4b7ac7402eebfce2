import { describe, expect, it } from "@jest/globals";
import { ownBytes } from "./worker-protocol.js";

describe("ownBytes (what a task's bytes become before they cross to a worker)", () => {
  it("copies a view into a larger buffer, so that postMessage does not copy the whole buffer", () => {
    const pool = Buffer.alloc(8192, 7);
    const view = pool.subarray(100, 237);
    const own = ownBytes(view);
    expect(own.buffer.byteLength).toBe(137);
    expect(own.byteOffset).toBe(0);
    expect(Array.from(own)).toEqual(Array.from(view));
    pool.fill(0);
    expect(own[0]).toBe(7);
  });

  it("keeps bytes that already own their buffer", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(ownBytes(bytes)).toBe(bytes);
  });
});
