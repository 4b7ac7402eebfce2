import { parseArgs } from "node:util";
import { ListExperimentsResponseSchema } from "@modelrouter/contracts";
import type { Command } from "./commands.js";
import { experimentTable } from "./experiment-table.js";
import { UsageError } from "./io.js";
import { printMessage } from "./output.js";

export const experimentsCommand: Command = {
  usage: `modelrouter experiments list [--policy P] [--output table|json]
                                               the experiments of the stored policies: running ones with each
                                               arm's figures, the always-valid p-values and why they have not
                                               decided; ended ones with their verdict and evidence`,

  async run(args, connection, io) {
    const [action, ...rest] = args;
    const { values } = parseArgs({ args: rest, options: { policy: { type: "string" }, output: { type: "string" } } });
    if (action !== "list") throw new UsageError(`experiments: unknown action "${action ?? ""}" (say list)`);
    const output = values.output ?? "table";
    if (output !== "table" && output !== "json") throw new UsageError(`--output ${output}: expected table (the default) or json`);
    const response = await connection.registry.listExperiments({ policy: values.policy ?? "" });
    if (output === "json") printMessage(io, ListExperimentsResponseSchema, response);
    else if (response.experiments.length === 0) {
      io.err("no experiments: give a STRATEGY_WEIGHTED route an `experiment` (docs/policies.md, \"Experiments\")");
    } else for (const line of experimentTable(response.experiments)) io.out(line);
    return 0;
  },
};
