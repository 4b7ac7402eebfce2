import { parseArgs } from "node:util";
import { InferResponseSchema, SubmitFeedbackResponseSchema } from "@modelrouter/contracts";
import type { Command } from "./commands.js";
import { UsageError } from "./io.js";
import { printMessage } from "./output.js";
import { inferRequestOf, requestOptions, requestUsage } from "./payload-args.js";

export const inferCommand: Command = {
  usage: `modelrouter infer ${requestUsage}`,
  async run(args, connection, io) {
    const { values } = parseArgs({ args: [...args], options: requestOptions });
    printMessage(io, InferResponseSchema, await connection.router.infer(inferRequestOf(values)));
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
