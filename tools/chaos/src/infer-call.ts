import type { RouterService } from "@modelrouter/contracts";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import { digitPayload } from "./chaos-system.js";

/** A load's call: one Infer of a digit with a client deadline of `deadlineMs`, recording the model that served it. */
export function inferCall(router: ServiceClient<typeof RouterService>, deadlineMs: number): () => Promise<string | undefined> {
  return async () => {
    const answer = await router.infer({ payload: digitPayload }, { timeoutMs: deadlineMs });
    return answer.model?.name;
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
