import { parseArgs } from "node:util";
import { InferResponseSchema, SubmitFeedbackResponseSchema } from "@modelrouter/contracts";
import type { Command } from "./commands.js";
import { UsageError } from "./io.js";
import { printMessage } from "./output.js";
import { inferRequestOf, requestOptions, requestUsage } from "./payload-args.js";
import { printStream } from "./stream-output.js";

/**
 * `modelrouter infer`: runs a request and prints the response as JSON; with `--stream`, calls InferStream and prints
 * the decision and usage on standard error and the answer on standard output as it is generated.
 */
export const inferCommand: Command = {
  usage: `modelrouter infer ${requestUsage} [--stream]
                                               --chat a JSON list of {"role", "content"} (- reads standard
                                               input), or --message role:content repeated, for chat models;
                                               --stream prints the decision, then the answer as it is
                                               generated, then the model and tokens used`,
  async run(args, connection, io) {
    const { values } = parseArgs({ args: [...args], options: { ...requestOptions, stream: { type: "boolean" } } });
    const request = inferRequestOf(values);
    if (values.stream === true) await printStream(io, connection.router.inferStream({ request }));
    else printMessage(io, InferResponseSchema, await connection.router.infer(request));
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
