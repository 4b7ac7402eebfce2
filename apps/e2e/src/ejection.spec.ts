import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromJson } from "@bufbuild/protobuf";
import { InstanceHealth, PolicySchema, RegistryService, RouterService } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { createGrpcChannel, createGrpcClient, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { createProcessGroup, freePort, repoRoot, type ProcessGroup, type RunningProcess } from "@modelrouter/testing";

const isReadyLine = (line: string) => line.includes('"msg":"ready"');
const digit = loadSampleIndex().find((s) => s.kind === "mnist")!;
const payload = { kind: { case: "image" as const, value: { data: readFileSync(digit.path), mimeType: "image/png" } } };

const policy = fromJson(PolicySchema, {
  name: "digits",
  description: "every image to the general digits model",
  priority: 10,
  when: 'input.modality == "image"',
  defaultRoute: { targets: [{ model: { name: "digits-general" } }] },
});

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
  const group: ProcessGroup = createProcessGroup();
  const channels: GrpcChannel[] = [];
  let dataDir: string;
  let router: ServiceClient<typeof RouterService>;
  let registryAt: string;
  let survivorAt: string;
  let victimAt: string;
  let victim: RunningProcess;
  let routerProcess: RunningProcess;
  let start: (name: string, app: string, env: Record<string, string>) => Promise<RunningProcess>;

  const executor = (listen: string, name: string) =>
    start(name, "executor", { MODELROUTER_EXECUTOR_LISTEN: listen, MODELROUTER_REGISTRY_ADDRESS: registryAt, MODELROUTER_EXECUTOR_WORKERS: "1" });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "modelrouter-ejection-"));
    const address = async () => `127.0.0.1:${await freePort()}`;
    const [analyzerAt, decisionAt, routerAt] = await Promise.all([address(), address(), address()]);
    [registryAt, survivorAt, victimAt] = await Promise.all([address(), address(), address()]);
    const unset = Object.fromEntries(Object.keys(process.env).filter((key) => key.startsWith("MODELROUTER_") || key.startsWith("OTEL_")).map((key) => [key, undefined]));
    const base = { ...unset, MODELROUTER_LOG_LEVEL: "info", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces" };
    start = (name, app, env) =>
      group.start({
        name,
        command: process.execPath,
        args: [join(repoRoot, "apps", app, "dist", "main.js")],
        cwd: repoRoot,
        env: { ...base, ...env },
        readyWhen: isReadyLine,
        timeoutMs: 60_000,
      });
    await start("registry", "registry", { MODELROUTER_REGISTRY_LISTEN: registryAt, MODELROUTER_REGISTRY_DATA_DIR: join(dataDir, "registry") });
    [, , victim] = await Promise.all([
      start("analyzer", "analyzer", { MODELROUTER_ANALYZER_LISTEN: analyzerAt }),
      executor(survivorAt, "executor-a"),
      executor(victimAt, "executor-b"),
      start("decision-engine", "decision-engine", { MODELROUTER_DECISION_LISTEN: decisionAt, MODELROUTER_REGISTRY_ADDRESS: registryAt }),
    ]);
    routerProcess = await start("router", "router", {
      MODELROUTER_ROUTER_LISTEN: routerAt,
      MODELROUTER_ROUTER_HTTP_LISTEN: "off",
      MODELROUTER_ANALYZER_ADDRESS: analyzerAt,
      MODELROUTER_DECISION_ADDRESS: decisionAt,
      MODELROUTER_REGISTRY_ADDRESS: registryAt,
      MODELROUTER_EXECUTOR_ADDRESS: `${survivorAt},${victimAt}`,
      MODELROUTER_EJECTION_CONSECUTIVE_FAILURES: "3",
      MODELROUTER_EJECTION_BASE: "2s",
      MODELROUTER_EJECTION_MAX: "4s",
    });

    const channel = (at: string) => {
      const created = createGrpcChannel(at);
      channels.push(created);
      return created;
    };
    const registry = createGrpcClient(RegistryService, channel(registryAt), { defaultTimeoutMs: 20_000 });
    router = createGrpcClient(RouterService, channel(routerAt), { defaultTimeoutMs: 20_000 });
    await registry.registerModel({ model: loadDemoModels().find((m) => m.name === "digits-general")! });
    await registry.applyPolicy({ policy });
    const end = Date.now() + 30_000;
    const seen = new Set<string>();
    while (seen.size < 2) {
      const answer = await router.infer({ payload }).catch(() => undefined);
      if (answer?.policy === "digits" && answer.attempts.length === 1) seen.add(answer.attempts[0]?.instance ?? "");
      if (Date.now() > end) throw new Error(`the system never served from both executors (seen: ${[...seen].join(", ")})`);
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of channels) c.close();
    await group.stopAll("SIGTERM", 20_000).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
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
      await executor(victimAt, "executor-b-restarted");
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
