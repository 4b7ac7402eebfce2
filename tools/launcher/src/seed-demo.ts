import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { RouterService } from "@modelrouter/contracts";
import { createGrpcChannel, createGrpcClient } from "@modelrouter/rpc-kit";
import type { SystemAddresses } from "./process-plan.js";

/** The built `modelrouter` CLI, relative to the repository root. */
export const CLI_SCRIPT = "tools/cli/bin/modelrouter.mjs";

/** The sample the router is asked to explain, to know that the demo policy routes. */
const PROBE_SAMPLE = "libs/model-zoo/samples/lowres-3-0.png";

/** How many times the router is asked before the demo counts as not routing, 100 ms apart. */
const PROBE_ATTEMPTS = 150;

/** The CLI's global options and one of its commands. */
export interface CliInvocation {
  readonly router: string;
  readonly registry: string;
  readonly command: readonly ["seed", "--demo"];
}

/** Runs the built CLI with `invocation`; each line it writes goes to `log`. Resolves with its exit code. */
function runCli(root: string, invocation: CliInvocation, env: Readonly<Record<string, string>>, log: (line: string) => void): Promise<number> {
  const args = [join(root, CLI_SCRIPT), "--router", invocation.router, "--registry", invocation.registry, ...invocation.command];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", log);
    createInterface({ input: child.stderr, crlfDelay: Infinity }).on("line", log);
    child.once("error", (error) => {
      log(`cannot run ${CLI_SCRIPT}: ${error.message}`);
      resolve(1);
    });
    child.once("close", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

/** Asks the router to explain a sample until the demo policy routes it; rejects after the last attempt. */
async function waitUntilTheDemoRoutes(router: string, root: string, apiKey: string | undefined, stopping: () => boolean): Promise<void> {
  const data = await readFile(join(root, PROBE_SAMPLE));
  const channel = createGrpcChannel(router);
  const headers = apiKey === undefined || apiKey === "" ? undefined : { authorization: `Bearer ${apiKey}` };
  const client = createGrpcClient(RouterService, channel, { defaultTimeoutMs: 5000, headers });
  let last = "";
  try {
    for (let attempt = 1; attempt <= PROBE_ATTEMPTS; attempt++) {
      if (stopping()) throw new Error("stopped before the demo was seeded");
      try {
        await client.explain({
          request: { payload: { kind: { case: "image", value: { data, mimeType: "image/png" } } }, metadata: { image_type: "lowres_scan" } },
        });
        return;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(100);
    }
  } finally {
    channel.close();
  }
  throw new Error(`the demo policy did not route a sample after ${PROBE_ATTEMPTS} attempts; the last answer: ${last}`);
}

/**
 * Registers the model zoo and applies the demo policies with the built CLI's `seed --demo` (idempotent: a model
 * already registered is skipped, a policy updated), its lines going to `log`; then asks the router to explain a
 * sample until the demo policy routes it (the decision engines learn of the policy through their watch streams).
 * Rejects when seeding fails or the demo does not route, or once `stopping()` is true. With authentication on, both
 * present `MODELROUTER_API_KEY` from `env` (an admin's key or the admin token), as the CLI does.
 */
export async function seedDemo(
  addresses: SystemAddresses,
  root: string,
  env: Readonly<Record<string, string>>,
  log: (line: string) => void,
  stopping: () => boolean,
): Promise<void> {
  const seeded = await runCli(root, { router: addresses.router, registry: addresses.registry, command: ["seed", "--demo"] }, env, log);
  if (seeded !== 0) throw new Error(`seeding the demo failed: modelrouter seed --demo exited with ${seeded}`);
  await waitUntilTheDemoRoutes(addresses.router, root, env.MODELROUTER_API_KEY, stopping);
}
