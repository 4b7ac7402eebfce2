import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { RouterService } from "@modelrouter/contracts";
import { isRpcError, type ServiceClient } from "@modelrouter/rpc-kit";
import type { RunningProcess } from "@modelrouter/testing";
import { type TwoExecutorSystem, digitPayload as payload, startTwoExecutorSystem } from "./two-executors.js";

const REQUESTS = 1500;
const CLIENTS = 4;
/** The kill happens once this many requests have been answered. */
const KILL_AFTER = 500;

/** The outcome of one request of the load. */
interface Outcome {
  readonly ok: boolean;
  readonly instance: string;
  readonly attempts: number;
  readonly error?: string;
  /** How many requests had been answered when this one was sent. */
  readonly sentAfter: number;
}

describe("two executor processes behind one router", () => {
  let system: TwoExecutorSystem;
  let router: ServiceClient<typeof RouterService>;
  let executors: TwoExecutorSystem["executors"];
  let routerProcess: RunningProcess;

  beforeAll(async () => {
    system = await startTwoExecutorSystem();
    ({ router, executors, routerProcess } = system);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it(`loses no request of ${REQUESTS} when one executor is killed with SIGKILL under load`, async () => {
    const outcomes: Outcome[] = [];
    let sent = 0;
    let killedAfter = -1;
    const victim = executors[1]!;
    const survivor = executors[0]!;
    const client = async () => {
      while (sent < REQUESTS) {
        sent += 1;
        const sentAfter = outcomes.length;
        try {
          const answer = await router.infer({ payload });
          outcomes.push({
            ok: !answer.fallbackUsed && answer.model?.name === "digits-general",
            instance: answer.attempts.at(-1)?.instance ?? "",
            attempts: answer.attempts.length,
            sentAfter,
            ...(answer.fallbackUsed ? { error: "answered by a fallback model" } : {}),
          });
        } catch (error) {
          outcomes.push({ ok: false, instance: "", attempts: 0, error: isRpcError(error) ? `${error.code} ${error.message}` : String(error), sentAfter });
        }
        if (killedAfter < 0 && outcomes.length >= KILL_AFTER) {
          killedAfter = outcomes.length;
          void victim.process.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));

    const failures = outcomes.filter((o) => !o.ok);
    const before = outcomes.filter((o) => o.sentAfter < killedAfter);
    const share = (list: readonly Outcome[], address: string) => list.filter((o) => o.instance === address).length;
    const figures = {
      requests: outcomes.length,
      failures: failures.length,
      retried: outcomes.filter((o) => o.attempts > 1).length,
      beforeKill: { [survivor.address]: share(before, survivor.address), [victim.address]: share(before, victim.address) },
      afterKill: { [survivor.address]: share(outcomes.slice(killedAfter + CLIENTS), survivor.address), [victim.address]: share(outcomes.slice(killedAfter + CLIENTS), victim.address) },
    };
    process.stdout.write(`instances figures: ${JSON.stringify(figures)}\n`);

    expect(failures.map((f) => f.error)).toEqual([]);
    expect(outcomes).toHaveLength(REQUESTS);
    expect(figures.beforeKill[survivor.address]).toBeGreaterThan(0);
    expect(figures.beforeKill[victim.address]).toBeGreaterThan(0);
    // Once the requests in flight at the kill have ended, only the survivor serves.
    expect(figures.afterKill[victim.address]).toBe(0);
    expect((await victim.process.exited).signal).toBe("SIGKILL");
    expect(routerProcess.output.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  }, 300_000);
});
