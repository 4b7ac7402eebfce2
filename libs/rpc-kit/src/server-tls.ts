import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import * as grpc from "@grpc/grpc-js";
import type { CertificateFiles } from "./certificate-files.js";

/**
 * How a server serves TLS: its certificate chain and key (`files.spec.identity`, required) and, when
 * `files.spec.ca` is set, the CA bundle that every client's certificate must be signed by (mutual TLS: a client
 * without one is refused during the handshake).
 */
export interface ServerTls {
  readonly files: CertificateFiles;
}

/** Whether `tls` requires a client certificate. */
export function requiresClientCertificate(tls: ServerTls): boolean {
  return tls.files.spec.ca !== undefined;
}

/**
 * The grpc-js credentials of a server: insecure without `tls`, else TLS following the files (a reloaded
 * certificate is used by new connections).
 */
export function grpcServerCredentials(tls: ServerTls | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  if (tls.files.spec.identity === undefined) throw new Error("a TLS server needs a certificate and key");
  // grpc-js 1.14's createCertificateProviderServerCredentials hands its first argument to the credentials as the
  // identity provider and its second as the CA provider (its declared parameter names are the other way round);
  // the CA provider decides whether a client certificate is requested.
  const clientCa = requiresClientCertificate(tls) ? tls.files : null;
  return grpc.experimental.createCertificateProviderServerCredentials(tls.files, clientCa, clientCa !== null);
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * An HTTP/1.1 server: plain without `tls`, else HTTPS only, requiring a client certificate when `tls` has a
 * client CA, and taking reloaded certificates for new connections (`setSecureContext`) until it closes.
 */
export function createHttpOrHttpsServer(tls: ServerTls | undefined, options: ServerOptions, handler: Handler): Server {
  if (tls === undefined) return createHttpServer(options, handler);
  const mutual = requiresClientCertificate(tls);
  const { cert, key, ca } = tls.files.material;
  const server = createHttpsServer({ ...options, cert, key, ca, requestCert: mutual, rejectUnauthorized: mutual }, handler);
  const unsubscribe = tls.files.onChange((material) => server.setSecureContext({ cert: material.cert, key: material.key, ca: material.ca }));
  server.once("close", unsubscribe);
  return server;
}
