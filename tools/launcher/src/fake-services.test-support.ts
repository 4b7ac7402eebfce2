import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";

/**
 * How a fake service behaves, set per app with `FAKE_<APP>` (e.g. `FAKE_DECISION_ENGINE=ignore-signals`):
 * - `normal`: ready at once; on its first SIGTERM or SIGINT logs "shutting down" and exits 0; more signals are ignored;
 * - `ignore-signals`: ready, and never exits on a signal;
 * - `fail-on-stop`: ready; exits 1 on a signal;
 * - `exit-before-ready`: writes a line and exits 3 without being ready.
 */
export type FakeBehaviour = "normal" | "ignore-signals" | "fail-on-stop" | "exit-before-ready";

const SERVICE_SCRIPT = `
const app = require("node:path").basename(require("node:path").resolve(require.main.filename, "../.."));
const behaviour = process.env["FAKE_" + app.toUpperCase().replace("-", "_")] ?? "normal";
const log = (msg, fields = {}) => process.stdout.write(JSON.stringify({ level: "info", service: app, msg, ...fields }) + "\\n");
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith("MODELROUTER_")));
log("settings", { env });
if (behaviour === "exit-before-ready") {
  log("cannot start: a fake failure");
  process.exit(3);
}
let stopping = false;
const onSignal = (signal) => {
  log(stopping ? "already shutting down" : "shutting down", { signal });
  if (behaviour === "ignore-signals" || stopping) return;
  stopping = true;
  setTimeout(() => process.exit(behaviour === "fail-on-stop" ? 1 : 0), 20);
};
process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);
setInterval(() => undefined, 60_000);
log("ready");
`;

const APPS = ["router", "analyzer", "decision-engine", "registry", "executor"];

/** A repository root whose `apps/<name>/dist/main.js` are fake services; `remove()` deletes it. */
export interface FakeRoot {
  readonly root: string;
  remove(): Promise<void>;
}

/** Writes a root of fake services that log their `MODELROUTER_*` variables ("settings") and then "ready". */
export async function createFakeRoot(): Promise<FakeRoot> {
  const root = await mkdtemp(join(tmpdir(), "launcher-fake-"));
  await writeFile(join(root, "fake-service.cjs"), SERVICE_SCRIPT);
  for (const app of APPS) {
    await mkdir(join(root, "apps", app, "dist"), { recursive: true });
    await writeFile(join(root, "apps", app, "dist", "main.js"), `require("../../../fake-service.cjs");\n`);
    await writeFile(join(root, "apps", app, "package.json"), "{}\n");
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

/** The `MODELROUTER_*` variables a fake service logged, from its "settings" line. */
export function settingsOf(lines: readonly string[]): Record<string, string> {
  for (const line of lines) {
    const entry = JSON.parse(line) as { msg?: string; env?: Record<string, string> };
    if (entry.msg === "settings" && entry.env !== undefined) return entry.env;
  }
  throw new Error(`no settings line in ${lines.join("\n")}`);
}

/** `127.0.0.1:<port>` with a port that is free right now. */
export function freeAddress(host = "127.0.0.1"): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(`${host.includes(":") ? `[${host}]` : host}:${port}`));
    });
  });
}
