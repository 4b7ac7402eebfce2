import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromJson } from "@bufbuild/protobuf";
import { PolicySchema, RegistryService, RouterService } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { createGrpcChannel, createGrpcClient, isRpcError, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { createProcessGroup, freePort, repoRoot, type ProcessGroup, type RunningProcess } from "@modelrouter/testing";

const REQUESTS = 1500;
const CLIENTS = 4;
/** The kill happens once this many requests have been answered. */
const KILL_AFTER = 500;

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
  const group: ProcessGroup = createProcessGroup();
  const channels: GrpcChannel[] = [];
  let dataDir: string;
  let router: ServiceClient<typeof RouterService>;
  let executors: { readonly address: string; readonly process: RunningProcess }[];
  let routerProcess: RunningProcess;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "modelrouter-instances-"));
    const address = async () => `127.0.0.1:${await freePort()}`;
    const [registryAt, analyzerAt, decisionAt, routerAt, executorA, executorB] = await Promise.all([
      address(),
      address(),
      address(),
      address(),
      address(),
      address(),
    ]);
    const unset = Object.fromEntries(Object.keys(process.env).filter((key) => key.startsWith("MODELROUTER_") || key.startsWith("OTEL_")).map((key) => [key, undefined]));
    const base = { ...unset, MODELROUTER_LOG_LEVEL: "info", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces" };
    const start = (name: string, app: string, env: Record<string, string>) =>
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
    const executor = (listen: string, name: string) =>
      start(name, "executor", { MODELROUTER_EXECUTOR_LISTEN: listen, MODELROUTER_REGISTRY_ADDRESS: registryAt, MODELROUTER_EXECUTOR_WORKERS: "1" });
    const [, a, b] = await Promise.all([
      start("analyzer", "analyzer", { MODELROUTER_ANALYZER_LISTEN: analyzerAt }),
      executor(executorA, "executor-a"),
      executor(executorB, "executor-b"),
      start("decision-engine", "decision-engine", { MODELROUTER_DECISION_LISTEN: decisionAt, MODELROUTER_REGISTRY_ADDRESS: registryAt }),
    ]);
    executors = [
      { address: executorA, process: a },
      { address: executorB, process: b },
    ];
    routerProcess = await start("router", "router", {
      MODELROUTER_ROUTER_LISTEN: routerAt,
      MODELROUTER_ROUTER_HTTP_LISTEN: "off",
      MODELROUTER_ANALYZER_ADDRESS: analyzerAt,
      MODELROUTER_DECISION_ADDRESS: decisionAt,
      MODELROUTER_REGISTRY_ADDRESS: registryAt,
      MODELROUTER_EXECUTOR_ADDRESS: `${executorA},${executorB}`,
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
    // Routed by the policy, and answered by each executor at least once (each has loaded the model).
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
