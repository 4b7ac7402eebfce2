import { parseArgs } from "node:util";
import { ExplainResponseSchema } from "@modelrouter/contracts";
import type { Command } from "./commands.js";
import { explainLines } from "./explain-output.js";
import { UsageError } from "./io.js";
import { printMessage } from "./output.js";
import { inferRequestOf, requestOptions, requestUsage } from "./payload-args.js";
import { whatIfOf, whatIfOptions } from "./what-if-args.js";

/**
 * `modelrouter explain`: asks the router to evaluate a request without running a model, optionally with a
 * what-if policy (an unsaved draft, or a stored revision), and prints the decision as tables (or as JSON).
 */
export const explainCommand: Command = {
  usage: `modelrouter explain ${requestUsage}
    [--policy-file DRAFT.yaml | --revision N] [--output table|json]
                                               the decision without running a model: the candidates with
                                               role, score and reason, the policies and rules evaluated;
                                               --policy-file explains an unsaved policy in place of the
                                               applied one of its name, --revision N revision N of the
                                               policy --policy names; --output json prints the response as JSON`,
  async run(args, connection, io) {
    const { values } = parseArgs({ args: [...args], options: { ...requestOptions, ...whatIfOptions, output: { type: "string" } } });
    const output = values.output ?? "table";
    if (output !== "table" && output !== "json") throw new UsageError(`--output ${output}: expected table (the default) or json`);
    const whatIf = whatIfOf(values);
    const request = inferRequestOf(values);
    const response = await connection.router.explain(whatIf === undefined ? { request } : { request, whatIf });
    if (output === "json") printMessage(io, ExplainResponseSchema, response);
    else for (const line of explainLines(response)) io.out(line);
    return 0;
  },
};
