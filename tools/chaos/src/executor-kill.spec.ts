import { describe, it } from "@jest/globals";
import { expectInvariantsHeld } from "./expect-invariants.test-support.js";
import { executorKill } from "./scenarios/executor-kill.js";
import { SHORT } from "./sizes.js";

describe("an executor killed with kill -9 under load, and started again (short form)", () => {
  it("FLT-1: with two executors, every request is answered OK", async () => {
    expectInvariantsHeld(await executorKill(2, SHORT.executorKill));
  });

  it("FLT-2: with one executor, requests fail only UNAVAILABLE or DEADLINE_EXCEEDED until it is back, then every one is served", async () => {
    expectInvariantsHeld(await executorKill(1, SHORT.executorKill));
  });
});
