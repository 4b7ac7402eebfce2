import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ListModelsResponseSchema, RegistryService, RouterService } from "@modelrouter/contracts";
import { Code, createGrpcServer, RpcError, serviceRegistration, type Authenticator, type GrpcServer } from "@modelrouter/rpc-kit";
import { capture } from "./io.test-support.js";
import { main } from "./main.js";

const KEY = "mrk_0123456789ab_S3cretS3cretS3cretS3cretS3cretS3cretS3c";

/** A service implementation of the given handlers; every other method fails UNIMPLEMENTED. */
function only(handlers: Record<string, () => Promise<unknown>>): never {
  const unimplemented = () => Promise.reject(new RpcError({ code: Code.UNIMPLEMENTED, message: "not in this spec" }));
  return new Proxy(handlers, { get: (target, name: string) => target[name] ?? unimplemented }) as never;
}

describe("the CLI's credential", () => {
  const presented: (string | undefined)[] = [];
  let server: GrpcServer;
  let address: string;

  beforeAll(async () => {
    // A registry and a router that take only KEY, and remember what each call presented.
    const authenticate: Authenticator = (call) => {
      const authorization = call.header("authorization");
      presented.push(authorization);
      return authorization === `Bearer ${KEY}`
        ? Promise.resolve({ kind: "api-key", subject: "key:0123456789ab", tenant: "acme", roles: ["admin"] })
        : Promise.reject(new RpcError({ code: Code.UNAUTHENTICATED, message: "the API key is unknown, expired or revoked" }));
    };
    const registry = only({ listModels: () => Promise.resolve(create(ListModelsResponseSchema, {})) });
    const router = only({});
    server = createGrpcServer({ services: [serviceRegistration(RegistryService, registry), serviceRegistration(RouterService, router)], authenticate });
    address = `127.0.0.1:${await server.listen("127.0.0.1:0")}`;
  }, 30_000);
  afterAll(() => server?.shutdown(100));

  const run = async (args: readonly string[], env: NodeJS.ProcessEnv = {}) => {
    const io = capture();
    const code = await main(["--registry", address, "--router", address, ...args], io, env);
    return { code, out: io.outText(), err: io.errText() };
  };

  it("sends --api-key as a bearer token, and never prints it", async () => {
    const listed = await run(["--api-key", KEY, "models", "list"]);
    expect(listed.code).toBe(0);
    expect(presented.at(-1)).toBe(`Bearer ${KEY}`);
    expect(`${listed.out}${listed.err}`).not.toContain("S3cret");
  });

  it("takes MODELROUTER_API_KEY when --api-key is not given, and --api-key over it", async () => {
    expect((await run(["models", "list"], { MODELROUTER_API_KEY: KEY })).code).toBe(0);
    expect(presented.at(-1)).toBe(`Bearer ${KEY}`);
    expect((await run(["--api-key", "wrong", "models", "list"], { MODELROUTER_API_KEY: KEY })).code).toBe(1);
    expect(presented.at(-1)).toBe("Bearer wrong");
  });

  it("says how to give a credential when the server asks for one", async () => {
    const refused = await run(["models", "list"]);
    expect(refused.code).toBe(1);
    expect(presented.at(-1)).toBeUndefined();
    expect(refused.err).toContain("UNAUTHENTICATED");
    expect(refused.err).toContain("set --api-key or MODELROUTER_API_KEY");
  });

  it("sends the credential with the router's calls too", async () => {
    await run(["--api-key", KEY, "infer", "--text", "hello"]);
    expect(presented.at(-1)).toBe(`Bearer ${KEY}`);
  });

  it("refuses --api-key without a value, naming the option", async () => {
    const result = await run(["models", "list", "--api-key"]);
    expect(result.code).toBe(2);
    expect(result.err).toContain("--api-key needs the key");
  });
});
