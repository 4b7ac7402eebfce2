import { afterEach, describe, expect, it } from "@jest/globals";
import { Redacted } from "@modelrouter/egress";
import { startFakeMlflowServer, type FakeMlflowServer } from "./fake-mlflow-server.js";
import { createMlflowClient, MlflowError } from "./mlflow-client.js";

const TOKEN = "mlfl0w-s3cret-token";
let server: FakeMlflowServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const versions = (count: number) => Array.from({ length: count }, (_, i) => ({ version: String(i + 1) }));

describe("the MLflow client", () => {
  it("reads every page of registered models and of their versions", async () => {
    server = await startFakeMlflowServer({
      models: [
        { name: "zeta", versions: versions(5) },
        { name: "alpha", versions: versions(3), aliases: { champion: "2" } },
        { name: "mid", versions: versions(1) },
      ],
    });
    const listings = await createMlflowClient({ trackingUri: server.url, pageSize: 2 }).listModels();
    expect(listings.map((l) => l.model.name)).toEqual(["alpha", "mid", "zeta"]);
    expect(listings.map((l) => l.versions.map((v) => v.version))).toEqual([["1", "2", "3"], ["1"], ["1", "2", "3", "4", "5"]]);
    expect(listings[0]?.model.aliases).toEqual([{ alias: "champion", version: "2" }]);
    expect(server.requests.filter((r) => r.includes("page_token")).length).toBeGreaterThan(0);
  });

  it("gives up past the page bound instead of reading forever", async () => {
    server = await startFakeMlflowServer({ models: [{ name: "many", versions: versions(10) }] });
    await expect(createMlflowClient({ trackingUri: server.url, pageSize: 2, maxPages: 3 }).listModels()).rejects.toThrow(/more than 3 pages/);
  });

  it("sends the credential as a bearer token", async () => {
    server = await startFakeMlflowServer({ models: [{ name: "digits", versions: versions(1) }], token: TOKEN });
    const listings = await createMlflowClient({ trackingUri: server.url, credential: new Redacted(TOKEN) }).listModels();
    expect(listings).toHaveLength(1);
    expect(server.authorizations.every((a) => a === `Bearer ${TOKEN}`)).toBe(true);
  });

  it("maps MLflow's error body to an error naming the call, the code and the message, never the credential", async () => {
    server = await startFakeMlflowServer({ token: TOKEN });
    const error = await createMlflowClient({ trackingUri: server.url, credential: new Redacted("wrong-token") }).listModels().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowError);
    expect((error as MlflowError).errorCode).toBe("UNAUTHENTICATED");
    expect((error as MlflowError).message).toContain("registered-models/search");
    expect((error as MlflowError).message).toContain("a valid bearer token is required");
    expect((error as MlflowError).message).not.toContain("wrong-token");
  });

  it("reports a tracking server that does not answer as UNAVAILABLE", async () => {
    server = await startFakeMlflowServer();
    const url = server.url;
    await server.close();
    server = undefined;
    const error = await createMlflowClient({ trackingUri: url }).listModels().catch((e: unknown) => e);
    expect((error as MlflowError).errorCode).toBe("UNAVAILABLE");
    expect((error as MlflowError).message).toContain(url);
  });
});
