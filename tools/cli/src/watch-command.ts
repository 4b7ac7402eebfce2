import { WatchModelsResponseSchema, WatchPoliciesResponseSchema } from "@modelrouter/contracts";
import type { Command } from "./commands.js";
import { UsageError } from "./io.js";
import { printMessage } from "./output.js";

export const watchCommand: Command = {
  usage: "modelrouter watch (models | policies) [--since REVISION]   stream registry changes until Ctrl-C",
  async run(args, connection, io) {
    const [what, flag, since] = args;
    const sinceRevision = flag === "--since" && since !== undefined ? BigInt(since) : 0n;
    // A watch runs until interrupted: no deadline beyond a day.
    const options = { timeoutMs: 24 * 3600 * 1000 };
    if (what === "models") {
      for await (const change of connection.registry.watchModels({ sinceRevision }, options)) {
        printMessage(io, WatchModelsResponseSchema, change);
      }
      return 0;
    }
    if (what === "policies") {
      for await (const change of connection.registry.watchPolicies({ sinceRevision }, options)) {
        printMessage(io, WatchPoliciesResponseSchema, change);
      }
      return 0;
    }
    throw new UsageError('watch: say "models" or "policies"');
  },
};
