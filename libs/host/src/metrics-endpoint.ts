import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EnvReader } from "@modelrouter/config";
import { parseHostPort } from "@modelrouter/syntax";
import { createHttpOrHttpsServer, type CallObserver, type ServerTls } from "@modelrouter/rpc-kit";

/**
 * A process's metrics (`ServiceMetrics` of `@modelrouter/metrics`): the observer of its servers' calls, and the
 * exposition served on `/metrics`.
 */
export interface MetricsSource {
  readonly observeCalls: CallObserver;
  readonly contentType: string;
  collect(): Promise<string>;
}

/** A listening metrics endpoint. */
export interface MetricsEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (and `HEAD`) at `listen` (`host:port`) for Prometheus: the source's exposition, over TLS
 * when the process serves TLS (with its client-certificate requirement, so a scraper of a service behind the router
 * presents one). Any other path is 404, another method 405.
 */
export async function startMetricsEndpoint(listen: string, source: MetricsSource, tls: ServerTls | undefined): Promise<MetricsEndpoint> {
  const address = parseHostPort(listen);
  if (address === undefined) throw new Error(`metrics endpoint: ${JSON.stringify(listen)} is not host:port`);
  const server: Server = createHttpOrHttpsServer(tls, { requestTimeout: 10_000 }, (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: metrics are at /metrics\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("use GET\n");
      return;
    }
    source.collect().then(
      (body) => res.writeHead(200, { "content-type": source.contentType }).end(req.method === "HEAD" ? undefined : body),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("the metrics could not be collected\n"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Reads a service's `MODELROUTER_<SERVICE>_METRICS_LISTEN` (`host:port`; unset: no metrics endpoint, and no metrics
 * kept), e.g. `readMetricsListen(env, "MODELROUTER_ROUTER_METRICS_LISTEN")`.
 */
export function readMetricsListen(env: EnvReader, name: string): string | undefined {
  return env.optionalString(name) === undefined ? undefined : env.address(name, "");
}
