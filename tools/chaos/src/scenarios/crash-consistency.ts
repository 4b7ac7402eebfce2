import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RegistryService } from "@modelrouter/contracts";
import { loadDemoModels } from "@modelrouter/model-zoo";
import { createGrpcChannel, createGrpcClient, type GrpcChannel } from "@modelrouter/rpc-kit";
import { appStarter, createProcessGroup, freePort, startPostgresCluster, type PostgresCluster } from "@modelrouter/testing";
import { quantile } from "../load-summary.js";
import { copyInitializedRegistryDir } from "../registry-template.js";
import { sleep } from "../infer-call.js";
import { invariant, ms, type ScenarioResult } from "../scenario-result.js";

/** The plan's bound on a restarted registry's start (spawn to ready: store opened, serving). */
const READY_TARGET_MS = 10_000;

/** The registry's store under test. */
export type RegistryStore = "pglite" | "postgresql";

/** Size of a crash-consistency run. */
export interface CrashConsistencySize {
  readonly kills: number;
  /** Acknowledged writes per kill cycle, on average (each cycle draws its kill point around it). */
  readonly writesPerKill: number;
  /** Concurrent writers, so that writes are in flight when the kill comes. */
  readonly writers: number;
}

/**
 * Crash consistency (DATA-1): a stream of RegisterModel calls with unique names, each counted acknowledged only
 * once it is answered OK, while the registry is killed with `kill -9` at a random point (after 50–150 % of
 * `writesPerKill` acknowledgements) `kills` times and started again on the same store. After every restart
 * every acknowledged write must be stored (acknowledged ⊆ stored), and the registry must come back each time.
 * On PostgreSQL the registry process is killed, the database server stays up.
 */
export async function crashConsistency(store: RegistryStore, size: CrashConsistencySize, seed = 42): Promise<ScenarioResult> {
  const group = createProcessGroup();
  const start = appStarter(group);
  const dir = await mkdtemp(join(tmpdir(), "modelrouter-crash-"));
  let cluster: PostgresCluster | undefined;
  const channels: GrpcChannel[] = [];
  try {
    if (store === "postgresql") cluster = await startPostgresCluster();
    else await copyInitializedRegistryDir(join(dir, "registry"));
    const listen = `127.0.0.1:${await freePort()}`;
    const env = {
      MODELROUTER_REGISTRY_LISTEN: listen,
      MODELROUTER_REGISTRY_MAX_MODELS: "100000",
      ...(cluster === undefined ? { MODELROUTER_REGISTRY_DATA_DIR: join(dir, "registry") } : { MODELROUTER_REGISTRY_DATABASE_URL: cluster.url }),
    };
    const base = loadDemoModels().find((m) => m.name === "digits-general")!;
    const channel = createGrpcChannel(listen);
    channels.push(channel);
    const registry = createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 5_000 });
    let random = seed >>> 0;
    const draw = () => {
      random = (Math.imul(random, 1_103_515_245) + 12_345) >>> 0;
      return random / 2 ** 32;
    };

    const acknowledged: string[] = [];
    let sentNotAcknowledged = 0;
    let inDoubtStored = 0;
    const restartMs: number[] = [];
    const lost: string[] = [];
    let restarts = 0;
    let running = await start("registry", "registry", env);
    let next = 0;
    for (let cycle = 0; cycle < size.kills; cycle++) {
      const killAfter = Math.max(1, Math.round(size.writesPerKill * (0.5 + draw())));
      const before = acknowledged.length;
      const inDoubt: string[] = [];
      let killing = false;
      const writer = async () => {
        while (!killing) {
          const name = `chaos-${store}-${next++}`;
          inDoubt.push(name);
          const ok = await registry.registerModel({ model: { ...base, name } }).then(() => true, () => false);
          if (!ok) continue;
          inDoubt.splice(inDoubt.indexOf(name), 1);
          acknowledged.push(name);
        }
      };
      const writers = Array.from({ length: size.writers }, writer);
      while (acknowledged.length - before < killAfter) await sleep(1);
      killing = true;
      await running.kill();
      await Promise.all(writers);
      sentNotAcknowledged += inDoubt.length;
      const restartStart = performance.now();
      running = await start("registry", "registry", env);
      restartMs.push(performance.now() - restartStart);
      restarts += 1;
      const stored = await storedNames(registry, `chaos-${store}-`);
      for (const name of acknowledged) if (!stored.has(name)) lost.push(name);
      inDoubtStored += inDoubt.filter((name) => stored.has(name)).length;
      lost.splice(0, lost.length, ...new Set(lost));
    }
    return {
      id: `DATA-1 (${store === "pglite" ? "PGlite" : "PostgreSQL"})`,
      title: `registry kill -9 during acknowledged writes, ${store === "pglite" ? "embedded PGlite" : "PostgreSQL 15"}`,
      setup: `${size.writers} concurrent RegisterModel writers with unique names; ${size.kills} kills, each after ${Math.round(size.writesPerKill / 2)}–${Math.round(size.writesPerKill * 1.5)} acknowledgements; checked after every restart`,
      figures: [
        ["kills / restarts", `${size.kills} / ${restarts}`],
        ["acknowledged writes", acknowledged.length.toLocaleString("en-US")],
        ["acknowledged writes lost", String(lost.length)],
        ["in flight at a kill (no answer) / of them stored anyway", `${sentNotAcknowledged} / ${inDoubtStored}`],
        ["restart to ready p50 / max", `${ms(quantile(restartMs, 0.5))} / ${ms(Math.max(...restartMs))}`],
      ],
      invariants: [
        invariant("acknowledged ⊆ stored after every restart", lost.length === 0, lost.length === 0 ? "0 lost" : `lost: ${lost.slice(0, 5).join(", ")}`),
        invariant("the registry restarts after every kill", restarts === size.kills, `${restarts} of ${size.kills}`),
      ],
      criteria: [invariant(`serving ≤ ${READY_TARGET_MS / 1000} s after every restart`, restartMs.every((t) => t <= READY_TARGET_MS), `max ${ms(Math.max(...restartMs))}`)],
    };
  } finally {
    for (const c of channels) c.close();
    await group.stopAll("SIGTERM", 20_000).catch(() => undefined);
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The names of the stored models starting with `prefix`, every page. */
async function storedNames(registry: ReturnType<typeof createGrpcClient<typeof RegistryService>>, prefix: string): Promise<Set<string>> {
  const names = new Set<string>();
  let pageToken = "";
  do {
    const page = await registry.listModels({ pageSize: 500, pageToken });
    for (const model of page.models) if (model.name.startsWith(prefix)) names.add(model.name);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return names;
}
