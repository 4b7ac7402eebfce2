import { createServer, type AddressInfo } from "node:net";

/**
 * A TCP port that is free on `host` (default `127.0.0.1`) right now: the operating system picks it for a
 * listener that is closed again at once. Another process may take it before you bind it, so prefer listening
 * on port 0 where the code under test allows it; use this to hand ports to child processes.
 */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close((error) => (error === undefined ? resolve(port) : reject(error)));
    });
  });
}
