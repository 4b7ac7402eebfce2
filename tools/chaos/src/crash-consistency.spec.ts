import { describe, it } from "@jest/globals";
import { expectInvariantsHeld } from "./expect-invariants.test-support.js";
import { crashConsistency } from "./scenarios/crash-consistency.js";
import { SHORT } from "./sizes.js";

describe("the registry killed with kill -9 during acknowledged writes (short form)", () => {
  it.each(["pglite", "postgresql"] as const)("DATA-1 on %s: every acknowledged write is stored after each restart, and it restarts every time", async (store) => {
    expectInvariantsHeld(await crashConsistency(store, SHORT.crashConsistency));
  });
});
