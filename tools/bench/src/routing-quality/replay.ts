import type { RouterService } from "@modelrouter/contracts";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import type { ServedAnswer } from "./quality-scores.js";
import { QUALITY_METADATA } from "./quality-modes.js";
import type { WorkloadItem } from "./workload.js";

/** How {@link replay} sends a stream. */
export interface ReplayOptions {
  /** The policy every request names (`InferRequest.policy`). */
  readonly policy: string;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Whether to submit each answer's true label as feedback (what the learning modes learn from). */
  readonly feedback: boolean;
  /** Per-call deadline in milliseconds. */
  readonly timeoutMs?: number;
}

function topLabel(outputs: readonly { value: { case: string | undefined; value?: unknown } }[]): string {
  for (const output of outputs) {
    if (output.value.case === "classification") {
      return (output.value.value as { labels: { label: string }[] }).labels[0]?.label ?? "";
    }
  }
  return "";
}

/**
 * Sends every item through the router's Infer with the given policy, `concurrency` at a time, and (with
 * `feedback`) submits each answer's true label as SubmitFeedback once it has answered, as a client with delayed
 * labels would. Returns the answers in item order; a failed request is an answer with no model, counted wrong.
 */
export async function replay(
  router: ServiceClient<typeof RouterService>,
  items: readonly WorkloadItem[],
  options: ReplayOptions,
): Promise<ServedAnswer[]> {
  const answers: ServedAnswer[] = new Array(items.length);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      const item = items[index];
      if (item === undefined) return;
      const started = performance.now();
      try {
        const response = await router.infer(
          {
            payload: { kind: { case: "image", value: { data: item.png, mimeType: "image/png" } } },
            metadata: { ...QUALITY_METADATA, ...item.metadata },
            policy: options.policy,
          },
          { timeoutMs },
        );
        const latencyMs = performance.now() - started;
        answers[index] = { model: response.model?.name ?? "", correct: topLabel(response.outputs) === item.label, latencyMs };
        if (options.feedback) {
          await router.submitFeedback({ requestId: response.requestId, feedback: { case: "label", value: item.label } }, { timeoutMs });
        }
      } catch {
        answers[index] = { model: "", correct: false, latencyMs: performance.now() - started };
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return answers;
}
