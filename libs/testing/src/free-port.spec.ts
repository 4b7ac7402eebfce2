import { createServer, type Server } from "node:net";
import { describe, expect, it } from "@jest/globals";
import { freePort } from "./free-port.js";

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

describe("freePort", () => {
  it("returns a port of 127.0.0.1 that a server can then listen on", async () => {
    const port = await freePort();
    const server = await listen(port, "127.0.0.1");

    expect(port).toBeGreaterThan(0);
    server.close();
  });

  it("returns a port of the given host, here ::1", async () => {
    const port = await freePort("::1");
    const server = await listen(port, "::1");

    expect(port).toBeGreaterThan(0);
    server.close();
  });
});
