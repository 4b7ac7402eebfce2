import type { Http2Server, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type * as grpc from "@grpc/grpc-js";

/**
 * The HTTP/2 servers under a grpc-js server, so that modelrouter can see each stream's headers before grpc-js
 * does and each connection's resets. grpc-js has no public hook for either; this reads its `http2Servers` map
 * (grpc-js 1.14), and fails loudly at startup — not silently at run time — if a future version renames it.
 */
export function http2ServersOf(server: grpc.Server): readonly Http2Server[] {
  const map: unknown = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(map instanceof Map)) {
    throw new Error("@grpc/grpc-js internals changed (no http2Servers map): update libs/rpc-kit/src/grpc-http2-hooks.ts");
  }
  return [...(map as Map<Http2Server, unknown>).keys()];
}

/** Runs `inspect` on every stream's request headers before grpc-js reads them (it may change them in place). */
export function beforeGrpcReadsHeaders(server: Http2Server, inspect: (headers: IncomingHttpHeaders) => void): void {
  server.prependListener("stream", (_stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => inspect(headers));
}
