import * as grpc from "@grpc/grpc-js";
import type { CertificateFiles } from "./certificate-files.js";

/**
 * How a client calls over TLS: the CA bundle that the server's certificate must be signed by (`files.spec.ca`;
 * unset: the CAs this machine trusts, read once) and, when `files.spec.identity` is set, the certificate and
 * key presented to a server that asks for one (mutual TLS).
 */
export interface ClientTls {
  readonly files: CertificateFiles;
  /** The name the server's certificate must carry, when it is not the host of the address (e.g. a load balancer's IP). */
  readonly serverName?: string | undefined;
}

/** The grpc-js credentials of a channel: insecure without `tls`, else TLS following the files. */
export function grpcChannelCredentials(tls: ClientTls | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  if (tls.files.spec.ca === undefined) {
    const { cert, key } = tls.files.material;
    return grpc.credentials.createSsl(null, key ?? null, cert ?? null);
  }
  const identity = tls.files.spec.identity === undefined ? null : tls.files;
  return grpc.experimental.createCertificateProviderChannelCredentials(tls.files, identity);
}

/** The channel options that `tls` implies (the expected server name). */
export function tlsChannelOptions(tls: ClientTls | undefined): grpc.ChannelOptions {
  return tls?.serverName === undefined ? {} : { "grpc.ssl_target_name_override": tls.serverName, "grpc.default_authority": tls.serverName };
}
