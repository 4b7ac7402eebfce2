import { createServer } from "node:net";
import { ExecutorService } from "@modelrouter/contracts";
import { createGrpcChannel, createGrpcClient, type ServiceClient } from "@modelrouter/rpc-kit";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address !== null ? address.port : 9;
}

/**
 * A gRPC executor client of an address nothing listens on: its calls fail UNAVAILABLE from the transport, as to an
 * executor that was killed. Close it after use.
 */
export async function deadExecutor(): Promise<{ readonly client: ServiceClient<typeof ExecutorService>; close(): void }> {
  const channel = createGrpcChannel(`127.0.0.1:${await closedPort()}`);
  return { client: createGrpcClient(ExecutorService, channel, { defaultTimeoutMs: 10_000 }), close: () => channel.close() };
}
