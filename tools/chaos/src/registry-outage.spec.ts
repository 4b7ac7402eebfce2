import { describe, it } from "@jest/globals";
import { expectInvariantsHeld } from "./expect-invariants.test-support.js";
import { registryOutage } from "./scenarios/registry-outage.js";
import { SHORT } from "./sizes.js";

describe("the registry down under load (short form)", () => {
  it("FLT-7: killed and started again, no inference fails, a write during the outage fails within its deadline, and a policy change after it reaches routing", async () => {
    expectInvariantsHeld(await registryOutage("killed", SHORT.registryOutage));
  });
});
