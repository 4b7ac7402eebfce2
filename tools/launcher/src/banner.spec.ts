import { describe, expect, it } from "@jest/globals";
import { startBanner, type SystemAddresses } from "./index.js";

const defaults: SystemAddresses = {
  router: "127.0.0.1:50051",
  registry: "127.0.0.1:50054",
  http: "http://127.0.0.1:8080",
  services: {},
};
const moved: SystemAddresses = { router: "127.0.0.1:6001", registry: "127.0.0.1:6004", http: "http://127.0.0.1:6080", services: {} };

const commands = (banner: string): string[] =>
  banner
    .replaceAll("\\\n", "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^(node|curl|grpcurl) /.test(line));

describe("the start banner", () => {
  it("prints the CLI commands as they are in the README when every address is the CLI's default", () => {
    const banner = startBanner({ topology: "distributed", addresses: defaults, env: {} });
    expect(commands(banner).filter((c) => c.startsWith("node "))).toEqual([
      "node tools/cli/bin/modelrouter.mjs infer --image libs/model-zoo/samples/lowres-3-0.png --meta image_type=lowres_scan",
      "node tools/cli/bin/modelrouter.mjs explain --image libs/model-zoo/samples/mnist-7-0.png",
      "node tools/cli/bin/modelrouter.mjs infer --file libs/model-zoo/samples/sentence-de.txt",
      "node tools/cli/bin/modelrouter.mjs infer --audio libs/model-zoo/samples/spoken-seven.wav",
      "node tools/cli/bin/modelrouter.mjs infer --json @libs/model-zoo/samples/breast-cancer-row.json",
      "node tools/cli/bin/modelrouter.mjs feedback <request-id> --label 3",
      "node tools/cli/bin/modelrouter.mjs models list",
      "node tools/cli/bin/modelrouter.mjs policies list",
    ]);
  });

  it("after moving ports, gives every command the real addresses: --router/--registry for the CLI, the HTTP address for curl, the gRPC ones for grpcurl", () => {
    const banner = startBanner({ topology: "co-located", addresses: moved, env: {} });
    expect(banner).toContain("RegistryService (gRPC)        127.0.0.1:6004");
    expect(commands(banner).map((c) => c.replace(/ -d (".*?[^\\]"|'.*?')/, " -d …"))).toEqual([
      "node tools/cli/bin/modelrouter.mjs --router 127.0.0.1:6001 infer --image libs/model-zoo/samples/lowres-3-0.png --meta image_type=lowres_scan",
      "node tools/cli/bin/modelrouter.mjs --router 127.0.0.1:6001 explain --image libs/model-zoo/samples/mnist-7-0.png",
      "node tools/cli/bin/modelrouter.mjs --router 127.0.0.1:6001 infer --file libs/model-zoo/samples/sentence-de.txt",
      "node tools/cli/bin/modelrouter.mjs --router 127.0.0.1:6001 infer --audio libs/model-zoo/samples/spoken-seven.wav",
      "node tools/cli/bin/modelrouter.mjs --router 127.0.0.1:6001 infer --json @libs/model-zoo/samples/breast-cancer-row.json",
      "node tools/cli/bin/modelrouter.mjs --router 127.0.0.1:6001 feedback <request-id> --label 3",
      "node tools/cli/bin/modelrouter.mjs --registry 127.0.0.1:6004 models list",
      "node tools/cli/bin/modelrouter.mjs --registry 127.0.0.1:6004 policies list",
      "curl -s -H 'Content-Type: application/json' http://127.0.0.1:6080/modelrouter.router.v1.RouterService/Infer     -d …",
      "grpcurl -plaintext 127.0.0.1:6001 list",
      "grpcurl -plaintext -d …     127.0.0.1:6001 modelrouter.router.v1.RouterService/Infer",
      "grpcurl -plaintext 127.0.0.1:6004 list",
      "grpcurl -plaintext -d … 127.0.0.1:6004 modelrouter.registry.v1.RegistryService/ListModels",
    ]);
  });

  it("passes the default addresses explicitly when the shell's MODELROUTER_*_ADDRESS would send the CLI elsewhere", () => {
    const banner = startBanner({ topology: "distributed", addresses: defaults, env: { MODELROUTER_REGISTRY_ADDRESS: "10.0.0.9:50054" } });
    expect(commands(banner)).toContain("node tools/cli/bin/modelrouter.mjs --registry 127.0.0.1:50054 models list");
    expect(commands(banner)).toContain("node tools/cli/bin/modelrouter.mjs infer --image libs/model-zoo/samples/lowres-3-0.png --meta image_type=lowres_scan");
  });

  it("quotes an IPv6 address for the shell, and leaves curl out when the HTTP edge is off", () => {
    const banner = startBanner({ topology: "distributed", addresses: { ...moved, router: "[::1]:6001", http: undefined }, env: {} });
    expect(commands(banner)).toContain("grpcurl -plaintext '[::1]:6001' list");
    expect(commands(banner).some((c) => c.startsWith("curl"))).toBe(false);
    expect(banner).toContain("RouterService (Connect/JSON)  off (MODELROUTER_ROUTER_HTTP_LISTEN=off)");
  });

  it("says where traces go, from the OTEL variables", () => {
    expect(startBanner({ topology: "distributed", addresses: defaults, env: {} })).toContain("Traces go to OTLP http://localhost:4318/v1/traces");
    expect(startBanner({ topology: "distributed", addresses: defaults, env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318/" } })).toContain(
      "Traces go to OTLP http://jaeger:4318/v1/traces",
    );
    expect(startBanner({ topology: "distributed", addresses: defaults, env: { OTEL_SDK_DISABLED: "true" } })).toContain("Tracing is off");
  });
});
