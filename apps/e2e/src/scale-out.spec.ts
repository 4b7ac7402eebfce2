import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromJson } from "@bufbuild/protobuf";
import { PolicySchema, RegistryService, RouterService } from "@modelrouter/contracts";
import { loadDemoModels } from "@modelrouter/model-zoo";
import { createGrpcChannel, createGrpcClient, isRpcError, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { appStarter, createProcessGroup, freePort, startPostgresCluster, type PostgresCluster, type RunningProcess } from "@modelrouter/testing";
import { digitPayload } from "./two-executors.js";

/** Requests in flight at once, spread over the two routers. */
const CLIENTS = 6;
/** Each measured phase. */
const PHASE_REQUESTS = 450;
/** An even spread: every instance within this fraction of the mean share. */
const SPREAD = 0.2;

interface Outcome {
  /** When it was sent (epoch ms). */
  readonly sentAt: number;
  readonly ok: boolean;
  readonly instance: string;
  readonly error?: string;
}

/** Each instance's share of the answered requests, against the mean: e.g. { "127.0.0.1:4001": 0.97, … }. */
function relativeShares(outcomes: readonly Outcome[], instances: readonly string[]): Record<string, number> {
  const mean = outcomes.length / instances.length;
  return Object.fromEntries(instances.map((instance) => [instance, outcomes.filter((o) => o.instance === instance).length / mean]));
}

/** The count of a series in a Prometheus exposition, summed over the lines whose labels include `labels`. */
function countOf(exposition: string, name: string, labels: Record<string, string>): number {
  return exposition
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

describe("scale-out on loopback: two routers, two decision engines, three executors, the registry on PostgreSQL", () => {
  const group = createProcessGroup();
  const channels: GrpcChannel[] = [];
  const executorsAt: string[] = [];
  const decisionMetricsAt: string[] = [];
  const executorProcesses: RunningProcess[] = [];
  let postgres: PostgresCluster;
  let routers: ServiceClient<typeof RouterService>[];
  let startExecutor: (index: number) => Promise<RunningProcess>;

  /** Sends `count` requests, `CLIENTS` at a time, to the two routers in turn; `during` runs alongside once a third are answered. */
  async function load(count: number, during?: () => Promise<void>): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    let sent = 0;
    let side: Promise<void> | undefined;
    const client = async () => {
      while (sent < count) {
        const router = routers[sent % 2]!;
        sent += 1;
        const sentAt = Date.now();
        try {
          const answer = await router.infer({ payload: digitPayload }, { timeoutMs: 10_000 });
          outcomes.push({ sentAt, ok: answer.model?.name === "digits-general" && !answer.fallbackUsed, instance: answer.attempts.at(-1)?.instance ?? "" });
        } catch (error) {
          outcomes.push({ sentAt, ok: false, instance: "", error: isRpcError(error) ? `${error.code} ${error.message}` : String(error) });
        }
        if (side === undefined && during !== undefined && outcomes.length >= count / 3) side = during();
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    await side;
    return outcomes;
  }

  beforeAll(async () => {
    postgres = await startPostgresCluster();
    const address = async () => `127.0.0.1:${await freePort()}`;
    const [registryAt, analyzerAt, ...rest] = await Promise.all(Array.from({ length: 11 }, address));
    const decisionAt = rest.slice(0, 2);
    decisionMetricsAt.push(...rest.slice(2, 4));
    executorsAt.push(...rest.slice(4, 7));
    const routersAt = rest.slice(7, 9);
    const start = appStarter(group);
    startExecutor = (index) =>
      start(`executor-${index + 1}`, "executor", { MODELROUTER_EXECUTOR_LISTEN: executorsAt[index]!, MODELROUTER_REGISTRY_ADDRESS: registryAt!, MODELROUTER_EXECUTOR_WORKERS: "1" });
    await start("registry", "registry", { MODELROUTER_REGISTRY_LISTEN: registryAt!, MODELROUTER_REGISTRY_DATABASE_URL: postgres.url });
    const started = await Promise.all([
      ...executorsAt.map((_, i) => startExecutor(i)),
      start("analyzer", "analyzer", { MODELROUTER_ANALYZER_LISTEN: analyzerAt! }),
      ...decisionAt.map((listen, i) =>
        start(`decision-engine-${i + 1}`, "decision-engine", { MODELROUTER_DECISION_LISTEN: listen!, MODELROUTER_REGISTRY_ADDRESS: registryAt!, MODELROUTER_DECISION_METRICS_LISTEN: decisionMetricsAt[i]! }),
      ),
    ]);
    executorProcesses.push(...started.slice(0, 3));
    await Promise.all(
      routersAt.map((listen, i) =>
        start(`router-${i + 1}`, "router", {
          MODELROUTER_ROUTER_LISTEN: listen!,
          MODELROUTER_ROUTER_HTTP_LISTEN: "off",
          MODELROUTER_ANALYZER_ADDRESS: analyzerAt!,
          MODELROUTER_DECISION_ADDRESS: decisionAt.join(","),
          MODELROUTER_REGISTRY_ADDRESS: registryAt!,
          MODELROUTER_EXECUTOR_ADDRESS: executorsAt.join(","),
        }),
      ),
    );
    const channel = (at: string) => {
      const created = createGrpcChannel(at);
      channels.push(created);
      return created;
    };
    const registry = createGrpcClient(RegistryService, channel(registryAt!), { defaultTimeoutMs: 20_000 });
    routers = routersAt.map((at) => createGrpcClient(RouterService, channel(at!), { defaultTimeoutMs: 20_000 }));
    await registry.registerModel({ model: loadDemoModels().find((m) => m.name === "digits-general")! });
    await registry.applyPolicy({ policy: fromJson(PolicySchema, { name: "digits", defaultRoute: { targets: [{ model: { name: "digits-general" } }] } }) });
    // Every router has the policy and has been answered by every executor.
    const end = Date.now() + 60_000;
    const seen = new Set<string>();
    while (seen.size < 2 * executorsAt.length) {
      for (const [i, router] of routers.entries()) {
        const answer = await router.infer({ payload: digitPayload }).catch(() => undefined);
        if (answer?.policy === "digits") seen.add(`${i} ${answer.attempts.at(-1)?.instance ?? ""}`);
      }
      if (Date.now() > end) throw new Error(`not every router was answered by every executor (seen: ${[...seen].join(", ")})`);
    }
  }, 180_000);

  afterAll(async () => {
    for (const c of channels) c.close();
    await group.stopAll("SIGTERM", 20_000).catch(() => undefined);
    await postgres?.stop();
  }, 60_000);

  it("spreads requests evenly over three executors, loses none when one is removed (SIGTERM) under load, and spreads again once it is back and warm", async () => {
    const spread = await load(PHASE_REQUESTS);

    let exitCode: number | null | undefined;
    let exitedAt = Number.POSITIVE_INFINITY;
    const removed = await load(PHASE_REQUESTS, async () => {
      exitCode = await executorProcesses[2]!.stop("SIGTERM", 30_000);
      exitedAt = Date.now();
    });
    const afterExit = removed.filter((o) => o.sentAt > exitedAt);

    executorProcesses[2] = await startExecutor(2);
    // Taken back once the routers' breakers admit it again (the ejection grows while it is away, at most 30 s).
    const end = Date.now() + 40_000;
    const backIn = new Set<number>();
    while (backIn.size < 2) {
      const outcomes = await load(60);
      for (const [i, o] of outcomes.entries()) if (o.instance === executorsAt[2]) backIn.add(i % 2);
      if (Date.now() > end) throw new Error("the executor that came back took no request within 40 s");
    }
    // Its first requests warm it (a fresh process runs a model slower at first, and the routers send a slower
    // instance less); then the spread is measured.
    await load(150);
    const respread = await load(PHASE_REQUESTS);

    const figures = {
      before: relativeShares(spread, executorsAt),
      whileRemoved: relativeShares(afterExit, executorsAt.slice(0, 2)),
      afterReturn: relativeShares(respread, executorsAt),
    };
    process.stdout.write(`scale-out figures: ${JSON.stringify(figures)}\n`);
    expect([...spread, ...removed, ...respread].filter((o) => !o.ok).map((o) => o.error ?? "a fallback answered")).toEqual([]);
    expect(exitCode).toBe(0);
    expect(afterExit.length).toBeGreaterThan(0);
    expect(afterExit.filter((o) => o.instance === executorsAt[2])).toEqual([]);
    for (const share of [...Object.values(figures.before), ...Object.values(figures.afterReturn)]) {
      expect(share).toBeGreaterThanOrEqual(1 - SPREAD);
      expect(share).toBeLessThanOrEqual(1 + SPREAD);
    }
  }, 240_000);

  it("spreads the routers' decisions over both decision engines", async () => {
    const scrape = async (at: string) => (await fetch(`http://${at}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const decided = async () => Promise.all(decisionMetricsAt.map(async (at) => countOf(await scrape(at), "rpc_server_duration_seconds_count", { rpc_method: "Decide", rpc_grpc_status_code: "OK" })));
    const before = await decided();
    await load(300);
    const after = await decided();
    const shares = after.map((n, i) => (n - before[i]!) / 150);
    process.stdout.write(`decision engine shares: ${JSON.stringify(shares)}\n`);
    for (const share of shares) {
      expect(share).toBeGreaterThanOrEqual(1 - SPREAD);
      expect(share).toBeLessThanOrEqual(1 + SPREAD);
    }
  }, 60_000);
});
