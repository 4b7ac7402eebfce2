import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { bannerCommands, grpcurlArguments, runInShell } from "./banner-commands.js";
import { grpcurl, listedServices, parseGrpcurl } from "./grpcurl.js";
import { movedPorts, startNpmStart, temporaryDataDir, waitForBanner, type NpmStart } from "./npm-start.js";

/** What a command did: "ok", or how it failed. */
type Verdict = string;

const failure = (code: number, output: string): Verdict => `exit ${code}: ${output.trim().split("\n").slice(0, 6).join(" | ")}`;

describe.each([
  ["distributed", []],
  ["co-located", ["--colocated"]],
] as const)("npm start (%s) with every port moved", (_topology, args) => {
  let launcher: NpmStart;
  let data: Awaited<ReturnType<typeof temporaryDataDir>>;
  let ports: Record<string, string>;
  let commands: string[];

  beforeAll(async () => {
    data = await temporaryDataDir();
    ports = await movedPorts();
    launcher = startNpmStart(args, { ...ports, MODELROUTER_REGISTRY_DATA_DIR: data.path });
    commands = bannerCommands(await waitForBanner(launcher));
  }, 150_000);

  afterAll(async () => {
    launcher?.signalGroup("SIGINT");
    const stopped = await Promise.race([launcher?.exited, new Promise((resolve) => setTimeout(resolve, 60_000).unref())]);
    if (stopped === undefined) await launcher?.kill();
    await data?.remove();
  }, 90_000);

  it("prints the real addresses: the registry's and the router's gRPC ports and the HTTP edge", () => {
    const router = ports["MODELROUTER_ROUTER_LISTEN"]!;
    const registry = ports["MODELROUTER_REGISTRY_LISTEN"]!;
    const http = ports["MODELROUTER_ROUTER_HTTP_LISTEN"]!;
    const banner = launcher.lines.join("\n");
    expect(banner).toContain(`RouterService (gRPC)          ${router}`);
    expect(banner).toContain(`RouterService (Connect/JSON)  http://${http}`);
    expect(banner).toContain(`RegistryService (gRPC)        ${registry}`);
    expect(commands.filter((c) => c.startsWith("node ")).every((c) => c.includes(` --router ${router} `) || c.includes(` --registry ${registry} `))).toBe(true);
    expect(commands.filter((c) => c.startsWith("curl ")).every((c) => c.includes(`http://${http}/`))).toBe(true);
    expect(commands.filter((c) => c.startsWith("grpcurl ")).length).toBeGreaterThanOrEqual(3);
  });

  it("every CLI and curl command it prints works as printed, feedback included", async () => {
    const verdicts: Record<string, Verdict> = {};
    let requestId: string | undefined;
    for (const command of commands.filter((c) => !c.startsWith("grpcurl "))) {
      const line = requestId === undefined ? command : command.replace("<request-id>", requestId);
      if (line.includes("<request-id>")) {
        verdicts[command] = "no requestId: no infer command came before it";
        continue;
      }
      const result = await runInShell(line);
      if (result.code !== 0) {
        verdicts[command] = failure(result.code, result.stderr || result.stdout);
        continue;
      }
      if (command.startsWith("curl ") || / infer /.test(command)) {
        const answer = JSON.parse(result.stdout) as { requestId?: string; model?: { name?: string }; code?: string; message?: string };
        if (answer.model?.name === undefined) {
          verdicts[command] = `no model in the answer: ${result.stdout.slice(0, 300)}`;
          continue;
        }
        if (/ infer /.test(command)) requestId = answer.requestId;
      }
      verdicts[command] = "ok";
    }
    expect(Object.keys(verdicts).some((c) => / feedback /.test(c))).toBe(true);
    expect(verdicts).toEqual(Object.fromEntries(Object.keys(verdicts).map((c) => [c, "ok"])));
  }, 120_000);

  it("every grpcurl command it prints names a real address and works as grpcurl runs it (reflection list ends with OK)", async () => {
    const addresses = new Set([ports["MODELROUTER_ROUTER_LISTEN"], ports["MODELROUTER_REGISTRY_LISTEN"]]);
    const verdicts: Record<string, Verdict> = {};
    for (const command of commands.filter((c) => c.startsWith("grpcurl "))) {
      const call = parseGrpcurl(await grpcurlArguments(command));
      if (!addresses.has(call.address)) {
        verdicts[command] = `address ${call.address} is not the router's or the registry's`;
        continue;
      }
      const result = await grpcurl(call);
      if (result.status !== 0) {
        verdicts[command] = `status ${String(result.status)} ${result.message}`;
        continue;
      }
      if (call.verb === "list") {
        const expected = call.address === ports["MODELROUTER_ROUTER_LISTEN"] ? "modelrouter.router.v1.RouterService" : "modelrouter.registry.v1.RegistryService";
        const services = listedServices(result);
        verdicts[command] = services.includes(expected) ? "ok" : `lists ${services.join(", ")}, not ${expected}`;
        continue;
      }
      verdicts[command] = result.answers.length === 1 ? "ok" : `${result.answers.length} answers`;
    }
    expect(verdicts).toEqual(Object.fromEntries(Object.keys(verdicts).map((c) => [c, "ok"])));
  }, 120_000);
});
