import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { InstanceHealth, type RouterService } from "@modelrouter/contracts";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import type { RunningProcess } from "@modelrouter/testing";
import { type TwoExecutorSystem, digitPayload as payload, startTwoExecutorSystem } from "./two-executors.js";

/** The victim's breaker state as Explain shows it. */
interface Seen {
  readonly health: InstanceHealth;
  readonly reason: string;
}

/** One request, between two Explains of the victim's state. */
interface Step {
  readonly before: Seen;
  readonly after: Seen;
  readonly served: boolean;
  /** The instance of each attempt, with whether it succeeded. */
  readonly attempts: readonly { readonly instance: string; readonly ok: boolean }[];
  readonly error?: string;
}

/** Waits (polling, at most `timeoutMs`) until `done` holds; rejects with `what` when it never does. */
async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`never happened within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("outlier ejection of an executor instance that stops answering", () => {
  let system: TwoExecutorSystem;
  let router: ServiceClient<typeof RouterService>;
  let survivorAt: string;
  let victimAt: string;
  let victim: RunningProcess;
  let routerProcess: RunningProcess;

  beforeAll(async () => {
    system = await startTwoExecutorSystem({
      MODELROUTER_EJECTION_CONSECUTIVE_FAILURES: "3",
      MODELROUTER_EJECTION_BASE: "2s",
      MODELROUTER_EJECTION_MAX: "4s",
    });
    ({ router, routerProcess } = system);
    const [survivor, victimExecutor] = system.executors;
    survivorAt = survivor!.address;
    victimAt = victimExecutor!.address;
    victim = victimExecutor!.process;
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  const victimSeen = async (): Promise<Seen> => {
    const explained = await router.explain({ request: { payload } });
    const status = explained.instances.find((i) => i.instance === victimAt);
    if (status === undefined) throw new Error(`Explain did not list ${victimAt}: ${explained.instances.map((i) => i.instance).join(", ")}`);
    expect(explained.instances.map((i) => i.instance).sort()).toEqual([survivorAt, victimAt].sort());
    return { health: status.health, reason: status.reason };
  };

  const step = async (): Promise<Step> => {
    const before = await victimSeen();
    try {
      const answer = await router.infer({ payload });
      const attempts = answer.attempts.map((a) => ({ instance: a.instance, ok: a.code === 0 }));
      return { before, after: await victimSeen(), served: answer.model?.name === "digits-general" && !answer.fallbackUsed, attempts };
    } catch (error) {
      return { before, after: await victimSeen(), served: false, attempts: [], error: String(error) };
    }
  };

  it("ejects it, sends it no request until a probe is answered, and brings it back once it answers again", async () => {
    const steps: Step[] = [];
    let running = true;
    const driving = (async () => {
      while (running) steps.push(await step());
    })();
    try {
      await victim.kill();
      await until(() => steps.some((s) => s.after.health === InstanceHealth.EJECTED), 60_000, `${victimAt} ejected`);
      await until(() => steps.some((s) => s.after.reason.includes("(2nd ejection): its probe got no answer")), 60_000, "a failed probe ejecting it again");
      const restartedFrom = steps.length;
      await system.startExecutor(victimAt, "executor-b-restarted");
      const servedByVictim = () => steps.slice(restartedFrom).filter((s) => s.attempts.some((a) => a.instance === victimAt && a.ok)).length;
      await until(() => servedByVictim() >= 3 && steps.at(-1)?.after.health === InstanceHealth.HEALTHY, 60_000, `${victimAt} serving again`);
    } finally {
      running = false;
      await driving;
    }

    const onVictim = (s: Step) => s.attempts.filter((a) => a.instance === victimAt);
    const firstEjected = steps.findIndex((s) => s.after.health === InstanceHealth.EJECTED);
    const afterEjection = steps.slice(firstEjected + 1);
    // Within one ejection (the same reason before and after the request), the victim gets no attempt at all.
    const withinEjection = afterEjection.filter((s) => s.before.health === InstanceHealth.EJECTED && s.after.health === InstanceHealth.EJECTED && s.before.reason === s.after.reason);
    // The first request the victim serves after its ejection is a probe: it was not HEALTHY when the request came.
    const firstServed = afterEjection.find((s) => onVictim(s).some((a) => a.ok));
    const figures = {
      steps: steps.length,
      withinEjection: withinEjection.length,
      attemptsWithinEjection: withinEjection.reduce((sum, s) => sum + onVictim(s).length, 0),
      probesThatFailed: afterEjection.filter((s) => onVictim(s).some((a) => !a.ok)).length,
      reasons: [...new Set(afterEjection.map((s) => s.after.reason).filter((r) => r !== ""))],
    };
    process.stdout.write(`ejection figures: ${JSON.stringify(figures)}\n`);

    expect(steps.filter((s) => !s.served).map((s) => s.error ?? JSON.stringify(s.attempts))).toEqual([]);
    expect(withinEjection.length).toBeGreaterThan(0);
    expect(figures.attemptsWithinEjection).toBe(0);
    expect(afterEjection.every((s) => onVictim(s).length <= 1)).toBe(true);
    expect(figures.probesThatFailed).toBeGreaterThan(0);
    expect(firstServed?.before.health).not.toBe(InstanceHealth.HEALTHY);
    expect(firstServed?.after.health).toBe(InstanceHealth.HEALTHY);
    expect(steps.at(-1)?.after).toEqual({ health: InstanceHealth.HEALTHY, reason: "" });
    // The router says so in its log: each change at warn, the recovery at info, nothing at error.
    expect(routerProcess.output.some((line) => line.includes('"msg":"executor instance ejected"') && line.includes(victimAt))).toBe(true);
    expect(routerProcess.output.some((line) => line.includes('"msg":"executor instance healthy again"'))).toBe(true);
    expect(routerProcess.output.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  }, 300_000);
});
