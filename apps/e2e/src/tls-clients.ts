import type { DescService } from "@bufbuild/protobuf";
import { createGrpcChannel, createGrpcClient, isRpcError, loadCertificateFiles, type ClientTls, type GrpcChannel, type RpcError, type ServiceClient } from "@modelrouter/rpc-kit";
import type { TestCertificates } from "@modelrouter/testing";

/** gRPC clients of a test over TLS with its throwaway certificates; `close` closes every channel and certificate watcher. */
export interface TlsClients {
  /** TLS trusting the test CA, presenting the test's client certificate when `withCertificate`. */
  tls(withCertificate: boolean): ClientTls;
  /** A client of `service` at `address`: plaintext without `tls`; `Bearer token` on every call when given; 20 s deadlines. */
  client<S extends DescService>(service: S, address: string, tls: ClientTls | undefined, token: string | undefined): ServiceClient<S>;
  close(): void;
}

/** {@link TlsClients} on `certs` (`createTestCertificates`). */
export function createTlsClients(certs: TestCertificates): TlsClients {
  const channels: GrpcChannel[] = [];
  const watchers: { close(): void }[] = [];
  return {
    tls(withCertificate) {
      const files = loadCertificateFiles({
        ca: { setting: "ca", path: certs.ca.cert },
        identity: withCertificate ? { cert: { setting: "cert", path: certs.client.cert }, key: { setting: "key", path: certs.client.key } } : undefined,
      });
      watchers.push(files);
      return { files };
    },
    client(service, address, tls, token) {
      const channel = createGrpcChannel(address, { tls });
      channels.push(channel);
      return createGrpcClient(service, channel, { defaultTimeoutMs: 20_000, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    },
    close() {
      for (const channel of channels) channel.close();
      for (const watcher of watchers) watcher.close();
    },
  };
}

/** The RPC error `call` fails with; an Error when it succeeds or fails with something else. */
export async function refusalOf(call: Promise<unknown>): Promise<RpcError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isRpcError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}
