import { InferResponseSchema, type InferResponse, type InferStreamResponse, type StreamStart } from "@modelrouter/contracts";
import type { Io } from "./io.js";
import { printMessage } from "./output.js";

const label = (model: { name: string; version: string } | undefined): string =>
  model === undefined ? "?" : model.version === "" ? model.name : `${model.name}@${model.version}`;

/** The decision a stream starts with, in one line: model, policy and rule, fallbacks, request and trace ids. */
export function startLine(start: StreamStart): string {
  const rule = start.rule === "" ? "default route" : `rule "${start.rule}"`;
  const fallbacks = start.fallbacks.length === 0 ? "" : `, fallbacks ${start.fallbacks.map(label).join(", ")}`;
  const trace = start.traceId === "" ? "" : `, trace ${start.traceId}`;
  return `decision ${label(start.model)} by policy "${start.policy}", ${rule}${fallbacks} (request ${start.requestId}${trace})`;
}

/** The end of a stream in one line: the model that answered (and whether a fallback did), why it stopped and the tokens it cost. */
export function doneLine(done: InferResponse): string {
  const parts = [`answered by ${label(done.model)}${done.fallbackUsed ? " (a fallback)" : ""}`];
  const generation = done.outputs.find((o) => o.value.case === "generation")?.value;
  if (generation?.case === "generation") {
    const { finishReason, usage } = generation.value;
    if (finishReason !== "") parts.push(`finish ${finishReason}`);
    if (usage !== undefined) parts.push(`tokens ${usage.promptTokens} prompt + ${usage.completionTokens} completion = ${usage.totalTokens}`);
  }
  return parts.join(", ");
}

/**
 * Prints an InferStream as it comes: the decision (`start`) as one line on standard error, each delta on standard
 * output as it arrives (no newline between them; one at the end), then the model and usage on standard error. A
 * model that does not stream has its answer printed from `done`: a generation's text, anything else as JSON. When
 * the stream fails after some text, the line is ended before the error propagates.
 */
export async function printStream(io: Io, stream: AsyncIterable<InferStreamResponse>): Promise<void> {
  let streamed = "";
  const write = io.write?.bind(io);
  try {
    for await (const { event } of stream) {
      switch (event.case) {
        case "start":
          io.err(startLine(event.value));
          break;
        case "delta":
          streamed += event.value.text;
          write?.(event.value.text);
          break;
        case "done": {
          const generation = event.value.outputs.find((o) => o.value.case === "generation")?.value;
          if (streamed !== "") endText(io, streamed, write !== undefined);
          else if (generation?.case === "generation") endText(io, generation.value.text, false);
          else printMessage(io, InferResponseSchema, event.value);
          streamed = "";
          io.err(doneLine(event.value));
          break;
        }
        default:
          break;
      }
    }
  } finally {
    if (streamed !== "") endText(io, streamed, write !== undefined);
  }
}

/** Ends a text on standard output: a newline after it when it was `written` as it came, else the whole text as a line. */
function endText(io: Io, text: string, written: boolean): void {
  if (!written) io.out(text);
  else if (!text.endsWith("\n")) io.write?.("\n");
}
