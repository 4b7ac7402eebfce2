import { loadDemoModels, loadDemoPolicies } from "@modelrouter/model-zoo";
import { applyPolicies } from "./apply-policies.js";
import type { Command } from "./commands.js";
import { UsageError } from "./io.js";
import { registerModels } from "./models-command.js";

export const seedCommand: Command = {
  usage: "modelrouter seed --demo       register the model zoo and apply the demo policies (idempotent)",
  async run(args, connection, io) {
    if (args[0] !== "--demo") throw new UsageError("seed: only --demo is supported");
    const failedModels = await registerModels(loadDemoModels(), connection, io);
    const failedPolicies = await applyPolicies(loadDemoPolicies(), connection, io);
    return failedModels + failedPolicies === 0 ? 0 : 1;
  },
};
