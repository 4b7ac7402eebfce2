import { describe, it } from "@jest/globals";
import { expectInvariantsHeld } from "./expect-invariants.test-support.js";
import { hungExecutor } from "./scenarios/hung-executor.js";
import { SHORT } from "./sizes.js";

describe("a hung executor (SIGSTOP), short form", () => {
  it("FLT-3: requests end DEADLINE_EXCEEDED at their deadline, the router's call ends with them, and the executor answers none of them late", async () => {
    expectInvariantsHeld(await hungExecutor(SHORT.hungExecutor));
  });
});
