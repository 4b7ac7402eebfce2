import type { SystemAddresses } from "./process-plan.js";
import type { Topology } from "./services.js";

/** What the banner needs to know. */
export interface BannerOptions {
  readonly topology: Topology;
  readonly addresses: SystemAddresses;
  /**
   * The environment the printed commands will run in (the user's shell): the CLI reads
   * `MODELROUTER_ROUTER_ADDRESS`/`MODELROUTER_REGISTRY_ADDRESS` there, and the traces' destination is read from the
   * `OTEL_*` variables.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The CLI's own defaults: a command needs no `--router`/`--registry` when the address is this and nothing overrides it. */
const CLI_DEFAULTS = {
  router: { address: "127.0.0.1:50051", variable: "MODELROUTER_ROUTER_ADDRESS" },
  registry: { address: "127.0.0.1:50054", variable: "MODELROUTER_REGISTRY_ADDRESS" },
} as const;

const CLI = "node tools/cli/bin/modelrouter.mjs";
const SAMPLES = "libs/model-zoo/samples";

/** A shell word: as it is when it is plain, in single quotes otherwise (`[::1]:50051` would be a glob). */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_.:/=@%+,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function tracesLine(env: Readonly<Record<string, string | undefined>>): string {
  if (env["OTEL_SDK_DISABLED"]?.trim().toLowerCase() === "true") return "Tracing is off (OTEL_SDK_DISABLED=true).";
  const traces = env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]?.trim();
  const base = env["OTEL_EXPORTER_OTLP_ENDPOINT"]?.trim();
  const endpoint = traces || (base ? `${base.replace(/\/$/, "")}/v1/traces` : "http://localhost:4318/v1/traces");
  return `Traces go to OTLP ${endpoint} (start Jaeger to see them: see README).`;
}

/**
 * The text `npm start` prints once modelrouter is up: where each API is, and commands to try — the CLI (with
 * `--router`/`--registry` whenever the CLI's defaults would not reach this instance), curl on the router's
 * Connect/JSON edge and grpcurl on its gRPC port and the registry's, every address the real one. Each command
 * works as printed from the repository root (`feedback` takes the `requestId` of an earlier answer).
 */
export function startBanner({ topology, addresses, env }: BannerOptions): string {
  const flag = (service: keyof typeof CLI_DEFAULTS): string => {
    const address = addresses[service];
    const { address: fallback, variable } = CLI_DEFAULTS[service];
    return address === fallback && env[variable] === undefined ? "" : ` --${service} ${shellWord(address)}`;
  };
  const router = shellWord(addresses.router);
  const registry = shellWord(addresses.registry);
  const infer = `{\\"payload\\": {\\"image\\": {\\"data\\": \\"$(base64 -w0 ${SAMPLES}/lowres-3-0.png)\\"}}, \\"metadata\\": {\\"image_type\\": \\"lowres_scan\\"}}`;
  const lines = [
    `modelrouter is up (${topology === "distributed" ? "distributed: five processes" : "co-located: one process"}).`,
    `  RouterService (gRPC)          ${addresses.router}`,
    `  RouterService (Connect/JSON)  ${addresses.http ?? "off (MODELROUTER_ROUTER_HTTP_LISTEN=off)"}`,
    `  RegistryService (gRPC)        ${addresses.registry}`,
    `  ${tracesLine(env)}`,
    "",
    "Try it (from the repository root):",
    "  # the CLI (feedback takes the requestId of an answer)",
    `  ${CLI}${flag("router")} infer --image ${SAMPLES}/lowres-3-0.png --meta image_type=lowres_scan`,
    `  ${CLI}${flag("router")} explain --image ${SAMPLES}/mnist-7-0.png`,
    `  ${CLI}${flag("router")} infer --file ${SAMPLES}/sentence-de.txt`,
    `  ${CLI}${flag("router")} infer --audio ${SAMPLES}/spoken-seven.wav`,
    `  ${CLI}${flag("router")} infer --json @${SAMPLES}/breast-cancer-row.json`,
    `  ${CLI}${flag("router")} feedback <request-id> --label 3`,
    `  ${CLI}${flag("registry")} models list`,
    `  ${CLI}${flag("registry")} policies list`,
  ];
  if (addresses.http !== undefined) {
    lines.push(
      "  # curl (Connect protocol, JSON)",
      `  curl -s -H 'Content-Type: application/json' ${addresses.http}/modelrouter.router.v1.RouterService/Infer \\`,
      `    -d "{\\"payload\\": {\\"image\\": {\\"data\\": \\"$(base64 -w0 ${SAMPLES}/mnist-7-0.png)\\"}}}"`,
    );
  }
  lines.push(
    "  # grpcurl (server reflection, no proto files needed)",
    `  grpcurl -plaintext ${router} list`,
    `  grpcurl -plaintext -d "${infer}" \\`,
    `    ${router} modelrouter.router.v1.RouterService/Infer`,
    `  grpcurl -plaintext ${registry} list`,
    `  grpcurl -plaintext -d '{"pageSize": 5}' ${registry} modelrouter.registry.v1.RegistryService/ListModels`,
    "",
    "Ctrl-C stops everything.",
  );
  return lines.join("\n");
}
