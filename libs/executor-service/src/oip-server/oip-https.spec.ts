import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readFile } from "node:fs/promises";
import { get as httpGet } from "node:http";
import { get as httpsGet, type RequestOptions } from "node:https";
import { loadCertificateFiles, type CertificateFiles } from "@modelrouter/rpc-kit";
import { createTestCertificates, type TestCertificates } from "@modelrouter/testing";
import { startOipTestServer, type OipTestServer } from "./oip.test-support.js";

describe("the OIP REST endpoint with TLS", () => {
  let certs: TestCertificates;
  let files: CertificateFiles;
  let oip: OipTestServer;
  let port: number;
  let pem: { ca: Buffer; cert: Buffer; key: Buffer };

  beforeAll(async () => {
    certs = await createTestCertificates();
    pem = { ca: await readFile(certs.ca.cert), cert: await readFile(certs.client.cert), key: await readFile(certs.client.key) };
    files = loadCertificateFiles({
      identity: { cert: { setting: "MODELROUTER_TLS_CERT", path: certs.server.cert }, key: { setting: "MODELROUTER_TLS_KEY", path: certs.server.key } },
      ca: { setting: "MODELROUTER_TLS_CLIENT_CA", path: certs.ca.cert },
    });
    oip = await startOipTestServer({ models: [] });
    port = (await oip.component.serveHttp("127.0.0.1:0", { tls: { files } })).port;
  }, 60_000);
  afterAll(async () => {
    await oip?.close();
    files?.close();
    await certs?.remove();
  });

  const live = (get: typeof httpsGet | typeof httpGet, options: RequestOptions = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      get({ host: "127.0.0.1", port, path: "/v2/health/live", ...options }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      }).once("error", reject);
    });

  it("serves HTTPS to a client with a certificate the client CA signed", async () => {
    expect(await live(httpsGet, { ca: pem.ca, cert: pem.cert, key: pem.key })).toEqual({ status: 200, body: '{"live":true}' });
  });

  it("refuses plain HTTP and a client without a certificate", async () => {
    await expect(live(httpGet)).rejects.toThrow();
    await expect(live(httpsGet, { ca: pem.ca })).rejects.toThrow(/certificate required/);
  });
});
