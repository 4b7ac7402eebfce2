// Installs the workspace's dependencies when node_modules is missing or older than package-lock.json, so that
// `npm start` and `npm test` work on a fresh clone. onnxruntime-node's install script (a CUDA download) is
// skipped: its CPU library ships inside the package. `npm install` (which keeps the locked versions) rather than
// `npm ci`: registry mirrors that carry only some platforms' optional packages (swc, buf) make `npm ci` refuse
// the lockfile as "missing" them, while `npm install` skips optional packages it cannot get. `--no-save`: this
// never writes package-lock.json (a fresh clone stays clean; tools/launcher's tests check that the lockfile is
// complete); run `npm install` yourself after changing dependencies.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const lock = `${root}package-lock.json`;
const installed = `${root}node_modules/.package-lock.json`;

const stale = !existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs;
if (stale) {
  console.log("Installing dependencies (npm install, locked versions)…");
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--no-save"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
