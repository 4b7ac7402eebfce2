// `npm start`: installs and builds what is missing, starts the five services as separate processes (the
// distributed topology; `npm start -- --colocated` runs them in one process), registers the model zoo,
// applies the demo policies, and prints how to call the router. Ctrl-C stops everything.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const colocated = process.argv.includes("--colocated");
const host = process.env.MODELROUTER_HOST ?? "127.0.0.1";
const ports = {
  router: Number(process.env.MODELROUTER_ROUTER_PORT ?? 50051),
  http: Number(process.env.MODELROUTER_HTTP_PORT ?? 8080),
  analyzer: Number(process.env.MODELROUTER_ANALYZER_PORT ?? 50052),
  decision: Number(process.env.MODELROUTER_DECISION_PORT ?? 50053),
  registry: Number(process.env.MODELROUTER_REGISTRY_PORT ?? 50054),
  executor: Number(process.env.MODELROUTER_EXECUTOR_PORT ?? 50055),
};
const dataDir = process.env.MODELROUTER_REGISTRY_DATA_DIR ?? `${root}.modelrouter/registry`;

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, NX_DAEMON: "false" } });
  if (result.status !== 0) {
    console.error(`\nmodelrouter: ${what} failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

const children = [];
let stopping = false;

function pretty(name, line) {
  try {
    const entry = JSON.parse(line);
    const { time: _t, level, service: _s, msg, trace_id: _tr, span_id: _sp, ...fields } = entry;
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`)
      .join(" ");
    return `[${name}] ${level === "info" ? "" : `${level}: `}${msg}${extra ? `  ${extra}` : ""}`;
  } catch {
    return `[${name}] ${line}`;
  }
}

function startService(name, app, env) {
  const child = spawn(process.execPath, [`${root}apps/${app}/dist/main.js`], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let ready;
  const isReady = new Promise((resolve) => (ready = resolve));
  let buffer = "";
  const onData = (chunk) => {
    buffer += chunk.toString();
    let at;
    while ((at = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      if (line.trim() === "") continue;
      console.log(pretty(name, line));
      if (line.includes('"msg":"ready"')) ready();
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`\nmodelrouter: ${name} exited (${signal ?? code}); stopping everything.`);
      stop(1);
    }
  });
  return isReady;
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : undefined)));
  process.exit(code);
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

run(process.execPath, [`${root}tools/scripts/ensure-install.mjs`], "installing dependencies");
console.log("Building (nx run-many -t build)…");
run("npx", ["nx", "run-many", "-t", "build", "--projects=router,analyzer,decision-engine,registry,executor,cli", "--outputStyle=static"], "the build");

const needed = colocated ? ["router", "http"] : Object.keys(ports);
for (const key of needed) {
  if (!(await portFree(ports[key]))) {
    console.error(
      `modelrouter: port ${ports[key]} on ${host} is taken (${key}). Stop what uses it, or pick another port with MODELROUTER_${key.toUpperCase()}_PORT=…`,
    );
    process.exit(1);
  }
}

const address = (key) => `${host}:${ports[key]}`;
const common = { MODELROUTER_REGISTRY_DATA_DIR: dataDir };
if (colocated) {
  console.log("Starting the co-located topology: router, analyzer, decision-engine, executor and registry in one process…");
  await startService("modelrouter", "router", {
    ...common,
    MODELROUTER_COLOCATE: "analyzer,decision-engine,executor,registry",
    MODELROUTER_ROUTER_LISTEN: address("router"),
    MODELROUTER_ROUTER_HTTP_LISTEN: address("http"),
  });
} else {
  console.log("Starting the distributed topology: five services, each its own process…");
  await startService("registry", "registry", { ...common, MODELROUTER_REGISTRY_LISTEN: address("registry") });
  await Promise.all([
    startService("executor", "executor", { MODELROUTER_EXECUTOR_LISTEN: address("executor") }),
    startService("analyzer", "analyzer", { MODELROUTER_ANALYZER_LISTEN: address("analyzer") }),
    startService("decision-engine", "decision-engine", {
      MODELROUTER_DECISION_LISTEN: address("decision"),
      MODELROUTER_REGISTRY_ADDRESS: address("registry"),
    }),
  ]);
  await startService("router", "router", {
    MODELROUTER_ROUTER_LISTEN: address("router"),
    MODELROUTER_ROUTER_HTTP_LISTEN: address("http"),
    MODELROUTER_ANALYZER_ADDRESS: address("analyzer"),
    MODELROUTER_DECISION_ADDRESS: address("decision"),
    MODELROUTER_EXECUTOR_ADDRESS: address("executor"),
  });
}

const registryAddress = colocated ? address("router") : address("registry");
console.log("Registering the model zoo and applying the demo policies…");
run(process.execPath, [`${root}tools/cli/bin/modelrouter.mjs`, "--registry", registryAddress, "seed", "--demo"], "seeding");

const samples = "libs/model-zoo/samples";
console.log(`
modelrouter is up${colocated ? " (co-located)" : ""}.
  RouterService (gRPC)          ${address("router")}
  RouterService (Connect/JSON)  http://${address("http")}
  RegistryService (gRPC)        ${registryAddress}
  Traces go to OTLP http://localhost:4318 (start Jaeger to see them: see README).

Try it:
  # the CLI
  node tools/cli/bin/modelrouter.mjs infer --image ${samples}/lowres-3-0.png --meta image_type=lowres_scan
  node tools/cli/bin/modelrouter.mjs explain --image ${samples}/mnist-7-0.png
  # curl (Connect protocol, JSON)
  curl -s -H 'Content-Type: application/json' http://${address("http")}/modelrouter.router.v1.RouterService/Infer \\
    -d "{\\"payload\\": {\\"image\\": {\\"data\\": \\"$(base64 -w0 ${samples}/mnist-7-0.png)\\"}}}"
  # grpcurl (server reflection, no proto files needed)
  grpcurl -plaintext -d "{\\"payload\\": {\\"image\\": {\\"data\\": \\"$(base64 -w0 ${samples}/lowres-3-0.png)\\"}}, \\"metadata\\": {\\"image_type\\": \\"lowres_scan\\"}}" \\
    ${address("router")} modelrouter.router.v1.RouterService/Infer

Ctrl-C stops everything.`);
