import { parseArgs } from "node:util";
import { ExplainResponseSchema, InferResponseSchema, SubmitFeedbackResponseSchema } from "@modelrouter/contracts";
import type { Command } from "./commands.js";
import { UsageError } from "./io.js";
import { printMessage } from "./output.js";
import { inferRequestOf, requestOptions } from "./payload-args.js";

const inputUsage = `(--image FILE | --audio FILE | --text TEXT | --json JSON|@FILE | --file FILE)
    [--meta key=value]... [--tier T] [--tenant T] [--user U] [--policy P] [--request-id ID]`;

export const inferCommand: Command = {
  usage: `modelrouter infer ${inputUsage}`,
  async run(args, connection, io) {
    const { values } = parseArgs({ args: [...args], options: requestOptions });
    printMessage(io, InferResponseSchema, await connection.router.infer(inferRequestOf(values)));
    return 0;
  },
};

export const explainCommand: Command = {
  usage: `modelrouter explain ${inputUsage}`,
  async run(args, connection, io) {
    const { values } = parseArgs({ args: [...args], options: requestOptions });
    printMessage(io, ExplainResponseSchema, await connection.router.explain({ request: inferRequestOf(values) }));
    return 0;
  },
};

export const feedbackCommand: Command = {
  usage: "modelrouter feedback REQUEST_ID (--label LABEL | --reward NUMBER)",
  async run(args, connection, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { label: { type: "string" }, reward: { type: "string" } },
    });
    const requestId = positionals[0];
    if (requestId === undefined) throw new UsageError("feedback: give the REQUEST_ID of an earlier infer");
    if ((values.label === undefined) === (values.reward === undefined)) throw new UsageError("feedback: give exactly one of --label or --reward");
    const reward = values.reward === undefined ? undefined : Number(values.reward);
    if (reward !== undefined && !Number.isFinite(reward)) throw new UsageError(`--reward ${values.reward}: not a number`);
    const response = await connection.router.submitFeedback({
      requestId,
      feedback: values.label !== undefined ? { case: "label", value: values.label } : { case: "reward", value: reward! },
    });
    printMessage(io, SubmitFeedbackResponseSchema, response);
    return 0;
  },
};
