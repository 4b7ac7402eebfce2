import { describe, it } from "@jest/globals";
import { expectInvariantsHeld } from "./expect-invariants.test-support.js";
import { rollingRestart } from "./scenarios/rolling-restart.js";
import { SHORT } from "./sizes.js";

describe("a rolling restart of every process under load (short form)", () => {
  it("FLT-5: SIGTERM and start again, one process after the other, each service with a second instance standing in: no request fails, every process exits 0", async () => {
    expectInvariantsHeld(await rollingRestart(SHORT.rollingRestart));
  }, 180_000);
});
