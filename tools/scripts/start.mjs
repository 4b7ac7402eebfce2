// `npm start`: installs what is missing, builds the services, the CLI and the launcher, then runs the launcher
// (tools/launcher: the same typed `launch()` the end-to-end tests use) with this command's arguments:
// `npm start -- --colocated` runs the co-located topology. Ctrl-C stops everything; the exit code says whether
// every service stopped cleanly.
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, NX_DAEMON: "false" } });
  if (result.status !== 0) {
    console.error(`\nmodelrouter: ${what} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

run(process.execPath, [`${root}tools/scripts/ensure-install.mjs`], "installing dependencies");
console.log("Building (nx run-many -t build)…");
run(
  "npx",
  ["nx", "run-many", "-t", "build", "--projects=router,analyzer,decision-engine,registry,executor,cli,launcher", "--outputStyle=static"],
  "the build",
);
// The launcher reads process.argv and exits with its own code.
await import(pathToFileURL(`${root}tools/launcher/dist/main.js`).href);
